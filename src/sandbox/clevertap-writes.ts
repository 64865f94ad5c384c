import { simulateEstimate, toScheduledOn, type CtCampaign } from './clevertap-data.js';
import { checkContent, checkWhere, CT_TARGET_MODES, parseWhen, recipients } from './clevertap-write-checks.js';
import { realClock, type Clock } from '../clock.js';
import type { SimReply } from './sim.js';
import { countRecipients, WriteKnobs } from './write-faults.js';

/** /1/send/*.json: "a max of 1000 users across these identifiers" (seed 001). */
export const CT_SIM_SEND_MAX_IDENTITIES = 1000;
/** create.json "is limited to 1 request per second" (seed 001): a request < 1 s after the previous is refused. */
const CREATE_WINDOW_MS = 1000;
/** A schedule this far behind the sim's clock still counts as now. */
const WHEN_TOLERANCE_MS = 60_000;
const MODE_TO_CHANNEL: Record<string, string> = { webpush: 'browser', webhook: 'webhooks', notificationinbox: 'app_inbox' };

type Rec = Record<string, unknown>;
const fail = (status: number, error: string, code: number = status, headers?: Record<string, string>): SimReply =>
  ({ status, body: { status: 'fail', error, code }, ...(headers ? { headers } : {}) });
const ok = (body: Rec): SimReply => ({ status: 200, body: { status: 'success', ...body } });

/** What the CleverTap simulator's write endpoints accepted, and their knobs. */
export interface CleverTapWrites {
  knobs: WriteKnobs;
  /** Every recipient of an accepted send, `Identity:u1` → times reached. */
  received: Map<string, number>;
  /** Each accepted send: its channel and how many identities it carried. */
  sends: Array<{ channel: string; recipients: number }>;
  /** Accepted real creates (estimates excluded), stops, and estimates answered. */
  counts: { creates: number; stops: number; estimates: number; sends: number };
  /** Handle a write path (create.json, stop.json, /1/send/*.json); undefined for any other path. */
  handle(path: string, body: Rec, at?: number): Promise<SimReply> | undefined;
}

/**
 * The write endpoints of the CleverTap simulator, from seed 001 and notes 1(e)(f)(g): create.json
 * paced per second (estimates count), sends of at most 1,000 identities, idempotent stop.
 * Created campaigns join `campaigns` (so list.json shows them).
 */
export function cleverTapWrites(opts: { campaigns: CtCampaign[]; createPerSecond?: number; clock?: Clock }): CleverTapWrites {
  const { campaigns } = opts;
  const clock = opts.clock ?? realClock;
  const createPerSecond = opts.createPerSecond ?? 1;
  const createTimes: number[] = [];
  const knobs = new WriteKnobs((status, message, headers) => fail(status, message, status, headers), clock);
  const w: CleverTapWrites = { knobs, received: new Map(), sends: [], counts: { creates: 0, stops: 0, estimates: 0, sends: 0 }, handle };

  function paced(t: number): SimReply | undefined {
    while (createTimes.length && t - (createTimes[0] as number) >= CREATE_WINDOW_MS) createTimes.shift();
    if (createTimes.length >= createPerSecond) return fail(429, 'Rate limit exceeded', 429, { 'retry-after': '1' });
    createTimes.push(t);
    return undefined;
  }

  function checkCreate(b: Rec): SimReply | undefined {
    if (typeof b.name !== 'string' || !b.name.trim()) return fail(400, 'name is a mandatory field');
    const mode = b.target_mode;
    if (typeof mode !== 'string' || !CT_TARGET_MODES.includes(mode)) return fail(400, `Invalid target_mode; use one of ${CT_TARGET_MODES.join(', ')}`);
    if (b.estimate_only !== undefined && typeof b.estimate_only !== 'boolean') return fail(400, '"estimate_only" must be a Boolean');
    if (b.respect_frequency_caps !== undefined && typeof b.respect_frequency_caps !== 'boolean') return fail(400, '"respect_frequency_caps" must be a Boolean', 73);
    const segment = b.segment;
    if (segment !== undefined && !(typeof segment === 'number' && Number.isInteger(segment) && segment > 0)) return fail(400, 'segment must be an integer');
    const where = b.where as Rec | undefined;
    if (segment === undefined && (!where || typeof where !== 'object' || Array.isArray(where))) return fail(400, 'where is a mandatory field');
    const whereError = where ? checkWhere(where) : undefined;
    if (whereError) return fail(400, whereError);
    const when = parseWhen(b.when);
    if (when === undefined) return fail(400, 'Invalid "when" (use "now" or "YYYYMMDD HH:MM")');
    if (when !== 'now' && when < Date.now() - WHEN_TOLERANCE_MS) return fail(400, '"when" must be in the future');
    const contentError = checkContent(mode, b);
    return contentError ? fail(400, contentError) : undefined;
  }

  function create(b: Rec): SimReply {
    const refused = checkCreate(b);
    if (refused) return refused;
    const mode = b.target_mode as string;
    const where = b.where as Rec | undefined;
    const segment = b.segment as number | undefined;
    if (b.estimate_only === true) {
      w.counts.estimates++;
      return ok({ estimates: simulateEstimate(mode, where, segment) });
    }
    // Ids are epoch seconds at creation (notes 1(g)); the create answer's shape is [U]: { status, id }.
    const id = Math.max(Math.floor(Date.now() / 1000), ...campaigns.map((c) => c.id + 1));
    const when = parseWhen(b.when);
    const content = (Array.isArray(b.content) ? { body: JSON.stringify(b.content) } : (b.content ?? { body: '' })) as CtCampaign['content'];
    campaigns.push({
      id, name: b.name as string, scheduled_on: toScheduledOn(when === 'now' || when === undefined ? new Date() : new Date(when)),
      status: when === 'now' ? 'running' : 'scheduled', channel: MODE_TO_CHANNEL[mode] ?? mode, delivery: 'api', labels: [],
      ...(where ? { where } : {}), ...(segment !== undefined ? { segment } : {}),
      respect_frequency_caps: b.respect_frequency_caps !== false, control_group: null, content, stats: { sent: 0, viewed: 0, clicked: 0, converted: 0 },
    });
    w.counts.creates++;
    return ok({ id });
  }

  function send(channel: string, b: Rec): SimReply {
    const to = b.to as Rec | undefined;
    if (!to || typeof to !== 'object' || Array.isArray(to)) return fail(400, 'to is a mandatory field', 21);
    if (b.respect_frequency_caps !== undefined && typeof b.respect_frequency_caps !== 'boolean') return fail(400, '"respect_frequency_caps" must be a Boolean', 73);
    const lists = recipients(to);
    const n = lists?.reduce((a, [, ids]) => a + ids.length, 0) ?? 0;
    if (!lists || n === 0 || n > CT_SIM_SEND_MAX_IDENTITIES) return fail(400, 'Invalid recipients', 84);
    const contentError = checkContent(channel, b);
    if (contentError) return fail(400, contentError);
    w.sends.push({ channel, recipients: n });
    for (const [key, ids] of lists) countRecipients(w.received, key, ids);
    w.counts.sends++;
    return ok({ message: 'Added to queue for processing' });
  }

  function stop(b: Rec): SimReply {
    const c = typeof b.id === 'number' && Number.isInteger(b.id) && b.id > 0 ? campaigns.find((x) => x.id === b.id) : undefined;
    if (!c) return fail(400, 'Invalid campaign id');
    // "It stops scheduled or running campaigns" (notes 1(g); pending is a scheduled one not yet started); already
    // stopped: success with no action taken.
    if (!['scheduled', 'pending', 'running', 'stopped'].includes(c.status)) return fail(400, `Campaign is ${c.status}: only a scheduled or running campaign can be stopped`);
    if (c.status !== 'stopped') w.counts.stops++;
    c.status = 'stopped';
    return ok({});
  }

  function handle(path: string, b: Rec, at = clock.now()): Promise<SimReply> | undefined {
    const sendPath = /^\/1\/send\/(push|sms|webpush|email)\.json$/.exec(path);
    if (sendPath) {
      return knobs.throttle(at).then((limited) => limited ?? knobs.apply(path, () => send(sendPath[1] as string, b)));
    }
    if (path === '/1/targets/create.json') {
      const limited = paced(at);
      if (limited) return Promise.resolve(limited);
      return b.estimate_only === true ? Promise.resolve(create(b)) : knobs.apply(path, () => create(b));
    }
    if (path === '/1/targets/stop.json') return knobs.apply(path, () => stop(b));
    return undefined;
  }

  return w;
}
