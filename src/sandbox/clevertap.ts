import { BAD_JSON, prng, serveSim, type RunningSim, type SimReply, type SimRequest } from './sim.js';
import { seedCleverTapCampaigns, simulateEstimate, toScheduledOn, type CtCampaign } from './clevertap-data.js';
import { cleverTapWrites, type CleverTapWrites } from './clevertap-writes.js';

/** The sandbox account used when no credentials are given (`--sandbox`, tests). */
export const CLEVERTAP_SANDBOX_CREDENTIALS = { accountId: 'SANDBOX-CT-0001', passcode: 'sandbox-ct-passcode' };

/** list.json span limit, both ends counted (seed 000). */
const LIST_MAX_DAYS = 31;
/** "Three concurrent requests are the max" (notes re-check). */
const MAX_CONCURRENT = 3;
/** /1/send/*.json: "a max of 1000 users across these identifiers" (seed 001). */
const SEND_MAX_IDENTITIES = 1000;
/** Arrival-time slack for create.json pacing: requests paced 1 s apart can land a few ms closer. */
const CREATE_GRACE_MS = 50;
const TARGET_MODES = ['push', 'email', 'sms', 'webpush', 'whatsapp', 'webhook', 'notificationinbox'];
const MODE_TO_CHANNEL: Record<string, string> = { webpush: 'browser', webhook: 'webhooks', notificationinbox: 'app_inbox' };
const OPERATORS = ['equals', 'not_equals', 'contains', 'greater_than', 'less_than', 'greater_than_equals', 'less_than_equals', 'exists', 'not_exists'];
const IDENTITY_KEYS = ['FBID', 'Email', 'Identity', 'objectId', 'GPID'];

export interface CleverTapSimOptions {
  seed?: number;
  now?: Date;
  port?: number;
  credentials?: Partial<typeof CLEVERTAP_SANDBOX_CREDENTIALS>;
  /** create.json requests allowed per second (seed 001 says 1; the current page says 3). */
  createPerSecond?: number;
  /** Time each request is held in flight, so concurrency limits can be observed. */
  processingMs?: number;
  /**
   * Answer only fields the documents name: report.json rows carry message_name, channel, delivery,
   * start_date, status, counters and labels (notes 1(b)), none of the sandbox's audit extras.
   */
  documentedOnly?: boolean;
}

/** A running CleverTap simulator with its truth records and what it observed. */
export interface CleverTapSim extends RunningSim {
  credentials: { accountId: string; passcode: string };
  campaigns: CtCampaign[];
  sends: Array<{ channel: string; recipients: number }>;
  /** The write endpoints' records and fault knobs (clevertap-writes.ts). */
  writes: CleverTapWrites;
  /** The most requests seen in flight at once (a 4th concurrent one is refused but counted). */
  maxInFlight: number;
  processingMs: number;
  /** When non-zero, message/report.json answers this HTTP status (its [3P] endpoint being unavailable). */
  reportFailStatus: number;
}

type Rec = Record<string, unknown>;
const fail = (status: number, error: string, code: number = status, headers?: Record<string, string>): SimReply => ({ status, body: { status: 'fail', error, code }, ...(headers ? { headers } : {}) });
const ok = (body: Rec): SimReply => ({ status: 200, body: { status: 'success', ...body } });

/** YYYYMMDD (int, or a string where `strings`) as a checked day number, else undefined. */
function dayInt(v: unknown, strings: boolean): number | undefined {
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : strings && typeof v === 'string' ? v.trim() : '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === `${m[1]}-${m[2]}-${m[3]}` ? Number(s) : undefined;
}

function spanDays(from: number, to: number): number {
  const t = (n: number) => Date.UTC(Math.floor(n / 10000), (Math.floor(n / 100) % 100) - 1, n % 100);
  return Math.round((t(to) - t(from)) / 86_400_000) + 1;
}

/** Start the CleverTap simulator on 127.0.0.1: strict where the docs are (seed 000/001, notes 1). */
export async function startCleverTapSim(opts: CleverTapSimOptions = {}): Promise<CleverTapSim> {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? new Date();
  const credentials = { ...CLEVERTAP_SANDBOX_CREDENTIALS, ...opts.credentials };
  const createPerSecond = opts.createPerSecond ?? 1;
  const campaigns = seedCleverTapCampaigns(seed, now);
  const writes = cleverTapWrites({ campaigns, createPerSecond });
  const createTimes: number[] = [];
  let inFlight = 0;

  function range(b: Rec, strings: boolean): { from: number; to: number } | SimReply {
    const from = dayInt(b.from, strings);
    if (from === undefined) return fail(400, 'Invalid "from" date (it must be of the format YYYYMMDD)');
    const to = dayInt(b.to, strings);
    if (to === undefined) return fail(400, 'Invalid "to" date (it must be of the format YYYYMMDD)');
    return from > to ? fail(400, 'Invalid date range') : { from, to };
  }
  const inRange = (c: CtCampaign, r: { from: number; to: number }) => Math.floor(c.scheduled_on / 10_000) >= r.from && Math.floor(c.scheduled_on / 10_000) <= r.to;
  const find = (id: unknown) => (typeof id === 'number' && Number.isInteger(id) && id > 0 ? campaigns.find((c) => c.id === id) : undefined);

  function list(b: Rec): SimReply {
    const r = range(b, false);
    if ('status' in r) return r;
    if (spanDays(r.from, r.to) > LIST_MAX_DAYS) return fail(400, 'Invalid date range');
    const targets = campaigns.filter((c) => inRange(c, r)).sort((a, z) => a.scheduled_on - z.scheduled_on)
      .map((c) => ({ id: c.id, name: c.name, scheduled_on: c.scheduled_on, status: c.status }));
    return ok({ targets });
  }

  function report(b: Rec): SimReply {
    if (sim.reportFailStatus) return fail(sim.reportFailStatus, 'Message reports are not available for this account');
    const r = range(b, true);
    if ('status' in r) return r;
    const words = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : undefined);
    const channels = words(b.channel);
    const statuses = words(b.status);
    const messages = campaigns
      .filter((c) => inRange(c, r) && (!channels || channels.includes(c.channel)) && (!statuses || statuses.includes(c.status)))
      .map((c) => reportRow(c, opts.documentedOnly === true));
    return ok({ messages });
  }

  function result(b: Rec): SimReply {
    if (!(typeof b.id === 'number' && Number.isInteger(b.id) && b.id > 0)) return fail(400, 'Invalid campaign id');
    const c = find(b.id);
    if (!c) return fail(404, 'Campaign not found');
    // 409 with the status word, as the [3P] note describes; the vendor page only says "an error stating the status".
    if (c.status !== 'completed') return fail(409, `Campaign is ${c.status}`);
    return ok({ result: { ...c.stats } });
  }

  function create(b: Rec): SimReply {
    const t = Date.now();
    while (createTimes.length && t - (createTimes[0] as number) >= 1000 - CREATE_GRACE_MS) createTimes.shift();
    if (createTimes.length >= createPerSecond) return fail(429, 'Rate limit exceeded', 429, { 'retry-after': '1' });
    createTimes.push(t);
    if (typeof b.name !== 'string' || !b.name.trim()) return fail(400, 'name is a mandatory field');
    const mode = b.target_mode;
    if (typeof mode !== 'string' || !TARGET_MODES.includes(mode)) return fail(400, `Invalid target_mode; use one of ${TARGET_MODES.join(', ')}`);
    if (b.estimate_only !== undefined && typeof b.estimate_only !== 'boolean') return fail(400, '"estimate_only" must be a Boolean');
    if (b.respect_frequency_caps !== undefined && typeof b.respect_frequency_caps !== 'boolean') return fail(400, '"respect_frequency_caps" must be a Boolean', 73);
    const segment = b.segment;
    if (segment !== undefined && !(typeof segment === 'number' && Number.isInteger(segment) && segment > 0)) return fail(400, 'segment must be an integer');
    const where = b.where as Rec | undefined;
    if (segment === undefined && (!where || typeof where !== 'object' || Array.isArray(where))) return fail(400, 'where is a mandatory field');
    const whereError = where ? checkWhere(where) : undefined;
    if (whereError) return fail(400, whereError);
    if (!(b.when === 'now' || (typeof b.when === 'string' && /^\d{8} \d{2}:\d{2}$/.test(b.when)))) return fail(400, 'Invalid "when" (use "now" or "YYYYMMDD HH:MM")');
    const contentError = checkContent(mode, b);
    if (contentError) return fail(400, contentError);
    if (b.estimate_only === true) return ok({ estimates: simulateEstimate(mode, where, segment as number | undefined) });
    const id = Math.max(Math.floor(Date.now() / 1000), ...campaigns.map((c) => c.id + 1));
    const when = b.when === 'now' ? toScheduledOn(new Date()) : Number((b.when as string).replace(/[ :]/g, ''));
    const content = (Array.isArray(b.content) ? { body: JSON.stringify(b.content) } : (b.content ?? { body: '' })) as CtCampaign['content'];
    campaigns.push({
      id, name: b.name, scheduled_on: when, status: 'scheduled', channel: MODE_TO_CHANNEL[mode] ?? mode, delivery: 'api', labels: [],
      ...(where ? { where } : {}), ...(segment !== undefined ? { segment: segment as number } : {}),
      respect_frequency_caps: b.respect_frequency_caps !== false, control_group: null, content, stats: { sent: 0, viewed: 0, clicked: 0, converted: 0 },
    });
    return ok({ id });
  }

  function send(channel: string, b: Rec): SimReply {
    const to = b.to as Rec | undefined;
    if (!to || typeof to !== 'object' || Array.isArray(to)) return fail(400, 'to is a mandatory field', 21);
    if (b.respect_frequency_caps !== undefined && typeof b.respect_frequency_caps !== 'boolean') return fail(400, '"respect_frequency_caps" must be a Boolean', 73);
    let n = 0;
    for (const [k, v] of Object.entries(to)) {
      if (!IDENTITY_KEYS.includes(k) || !Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x)) return fail(400, 'Invalid recipients', 84);
      n += v.length;
    }
    if (n === 0 || n > SEND_MAX_IDENTITIES) return fail(400, 'Invalid recipients', 84);
    sim.sends.push({ channel, recipients: n });
    return ok({ message: 'Added to queue for processing' });
  }

  function stop(b: Rec): SimReply {
    const c = find(b.id);
    if (!c) return fail(400, 'Invalid campaign id');
    if (c.status === 'completed') return fail(400, 'Campaign is completed');
    c.status = 'stopped';
    return ok({});
  }

  async function handler(req: SimRequest): Promise<SimReply> {
    inFlight++;
    sim.maxInFlight = Math.max(sim.maxInFlight, inFlight);
    try {
      if (inFlight > MAX_CONCURRENT) return fail(429, 'Too many concurrent requests', 429, { 'retry-after': '1' });
      if (sim.processingMs > 0) await new Promise((r) => setTimeout(r, sim.processingMs));
      return route(req);
    } finally {
      inFlight--;
    }
  }

  function route(req: SimRequest): SimReply | Promise<SimReply> {
    if (req.method !== 'POST') return fail(405, 'Method not allowed');
    if (req.headers['x-clevertap-account-id'] !== credentials.accountId || req.headers['x-clevertap-passcode'] !== credentials.passcode) {
      return fail(401, 'Invalid Credentials');
    }
    if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return fail(400, 'Content-Type must be application/json');
    if (req.body === BAD_JSON || !req.body || typeof req.body !== 'object' || Array.isArray(req.body)) return fail(400, 'Invalid JSON payload', 78);
    const b = req.body as Rec;
    const written = writes.handle(req.path, b);
    if (written) return written;
    const sendPath = /^\/1\/send\/(push|sms|webpush|email)\.json$/.exec(req.path);
    if (sendPath) return send(sendPath[1] as string, b);
    switch (req.path) {
      case '/1/targets/list.json': return list(b);
      case '/1/message/report.json': return report(b);
      case '/1/targets/result.json': return result(b);
      case '/1/targets/create.json': return create(b);
      case '/1/targets/stop.json': return stop(b);
      // api-errors: 401 stands for "invalid credentials or URL" (notes 1 Errors).
      default: return fail(401, 'Invalid Credentials');
    }
  }

  const running = await serveSim(handler, {
    port: opts.port,
    rng: prng(seed ^ 0x5eed),
    rateLimited: () => fail(429, 'Rate limit exceeded'),
  });
  const sim: CleverTapSim = Object.assign(running, { credentials, campaigns, sends: writes.sends, writes, maxInFlight: 0, processingMs: opts.processingMs ?? 0, reportFailStatus: 0 });
  return sim;
}

function checkWhere(w: Rec): string | undefined {
  if (w.event_name !== undefined && (typeof w.event_name !== 'string' || !w.event_name)) return 'where.event_name must be a string';
  for (const k of ['from', 'to'] as const) if (w[k] !== undefined && dayInt(w[k], false) === undefined) return `Invalid "where.${k}" date (it must be of the format YYYYMMDD)`;
  if (typeof w.from === 'number' && typeof w.to === 'number' && w.from > w.to) return 'Invalid date range';
  const fields = (w.common_profile_properties as Rec | undefined)?.profile_fields;
  if (w.common_profile_properties !== undefined && !Array.isArray(fields)) return 'common_profile_properties.profile_fields must be an array';
  for (const f of (fields ?? []) as Rec[]) {
    if (!f || typeof f.name !== 'string' || !OPERATORS.includes(String(f.operator))) return `Invalid profile field condition ${JSON.stringify(f)}`;
  }
  return undefined;
}

function checkContent(mode: string, b: Rec): string | undefined {
  if (mode === 'webhook') return typeof b.webhook_endpoint_name === 'string' ? undefined : 'webhook_endpoint_name is a mandatory field';
  const c = b.content as Rec | undefined;
  if (mode === 'notificationinbox') return Array.isArray(c) && c.length && typeof b.template_type === 'string' ? undefined : 'template_type and content[] are mandatory';
  if (!c || typeof c !== 'object' || Array.isArray(c)) return 'content is a mandatory field';
  const need: Record<string, string[]> = { push: ['title', 'body'], webpush: ['title', 'body'], email: ['subject', 'body', 'sender_name'], sms: ['body'], whatsapp: ['template_name'] };
  const missing = (need[mode] ?? []).filter((k) => typeof c[k] !== 'string' || !c[k]);
  return missing.length ? `content.${missing[0]} is a mandatory field` : undefined;
}

/**
 * One report.json row. Documented [3P] (notes 1(b)): message_name, channel, delivery, start_date, status,
 * sent, viewed, clicked, conversion_event, labels; no campaign id. `start_date`'s format is undocumented:
 * YYYYMMDDHHMM like scheduled_on here, "YYYY-MM-DD HH:MM:SS" in documentedOnly mode, so both are exercised.
 * Outside that mode the row also carries the sandbox's audit extras (targeting, caps, control group, content).
 */
function reportRow(c: CtCampaign, documentedOnly: boolean): Rec {
  const s = String(c.scheduled_on);
  const row: Rec = {
    message_name: c.name, channel: c.channel, delivery: c.delivery,
    start_date: documentedOnly ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:00` : c.scheduled_on,
    status: c.status, sent: c.stats.sent, viewed: c.stats.viewed, clicked: c.stats.clicked, conversion_event: c.stats.converted, labels: c.labels,
  };
  if (documentedOnly) return row;
  return { ...row, where: c.where, segment: c.segment, respect_frequency_caps: c.respect_frequency_caps, control_group: c.control_group, content: c.content };
}
