import { realClock, type Clock } from '../clock.js';
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
  /** The clock of its create.json pacing and send throughput (a test's fast clock; default wall time). */
  clock?: Clock;
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
  const clock = opts.clock ?? realClock;
  const writes = cleverTapWrites({ campaigns, createPerSecond, clock });
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
    const written = writes.handle(req.path, b, req.at);
    if (written) return written;
    switch (req.path) {
      case '/1/targets/list.json': return list(b);
      case '/1/message/report.json': return report(b);
      case '/1/targets/result.json': return result(b);
      // api-errors: 401 stands for "invalid credentials or URL" (notes 1 Errors).
      default: return fail(401, 'Invalid Credentials');
    }
  }

  const running = await serveSim(handler, {
    port: opts.port,
    rng: prng(seed ^ 0x5eed),
    rateLimited: () => fail(429, 'Rate limit exceeded'),
    clock,
  });
  const sim: CleverTapSim = Object.assign(running, { credentials, campaigns, sends: writes.sends, writes, maxInFlight: 0, processingMs: opts.processingMs ?? 0, reportFailStatus: 0 });
  return sim;
}

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
