import type { Clock } from '../clock.js';
import { batchTime, type BatchSeedCampaign } from './batch-data.js';
import { BAD_JSON, type SimReply, type SimRequest } from './sim.js';
import { countRecipients, WriteKnobs } from './write-faults.js';

/** transactional/send recipients cap per list: 10,000 custom_ids is [U] (notes re-check, 3(f)); install_ids likewise [U]. */
export const BATCH_SIM_MAX_RECIPIENTS = 10_000;
/** A push_time this far behind the sim's clock still counts as now. */
const PUSH_TIME_TOLERANCE_MS = 60_000;
/** push_time: "now" or YYYY-MM-DDTHH:mm(:ss), UTC (seed 003 / notes 3(b) examples carry no zone). */
const PUSH_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const RECIPIENT_KEYS = ['tokens', 'install_ids', 'custom_ids'] as const;
const GROUP_ID = /^[a-zA-Z0-9_-]+$/;

type Rec = Record<string, unknown>;
const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Documented MEP codes (notes 3 table); the body's key names are a placeholder [U]. */
const fail = (status: number, code: number, message: string, headers?: Record<string, string>): SimReply =>
  ({ status, body: { error_code: code, error_message: message }, ...(headers ? { headers } : {}) });
const CODE_BY_STATUS: Record<number, number> = { 400: 31, 401: 10, 403: 12, 404: 20, 429: 60, 500: 0, 503: 2 };

/** What the Batch simulator's write endpoints accepted, and their knobs. */
export interface BatchWrites {
  knobs: WriteKnobs;
  /** Every recipient of an accepted send, `custom_ids:u1` → times reached. */
  received: Map<string, number>;
  /** Each accepted transactional send: its group_id and recipient count. */
  sends: Array<{ group_id: string; recipients: number }>;
  counts: { creates: number; sends: number; updates: number };
  /** Handle campaigns/create, transactional/send, campaigns/update/{token}; undefined for any other route. */
  handle(req: SimRequest, route: string, dev: boolean): Promise<SimReply> | undefined;
}

/**
 * The MEP 1.1 write endpoints (notes 3(e)(f)(g)): 201 on create and send, recipient lists capped,
 * `campaigns/update/{token}` changing `live` on API-created campaigns only. Created campaigns join
 * `campaigns`, so campaigns/list shows them.
 */
export function batchWrites(campaigns: BatchSeedCampaign[], clock?: Clock): BatchWrites {
  let counter = 0;
  const knobs = new WriteKnobs((status, message, headers) => fail(status, CODE_BY_STATUS[status] ?? (status >= 500 ? 0 : 31), message, headers), clock);
  const w: BatchWrites = { knobs, received: new Map(), sends: [], counts: { creates: 0, sends: 0, updates: 0 }, handle };

  function create(body: unknown, dev: boolean): SimReply {
    if (body === BAD_JSON || !isObject(body)) return fail(400, 32, 'Malformed JSON body');
    if (body.name === undefined || body.live === undefined || body.messages === undefined) return fail(400, 30, 'Missing parameter: name, live and messages are required');
    // No length rule: neither seed 003 nor notes 3(e) states one (simulators follow the vendors' documents only).
    if (typeof body.name !== 'string') return fail(400, 31, 'Malformed parameter: name must be a string');
    if (typeof body.live !== 'boolean') return fail(400, 31, 'Malformed parameter: live must be a boolean');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return fail(400, 31, 'Malformed parameter: messages must be a non-empty array');
    if (!body.messages.every((m) => isObject(m) && typeof m.body === 'string' && m.body !== '')) return fail(400, 30, 'Missing parameter: messages[].body');
    if (body.targeting !== undefined && !isObject(body.targeting)) return fail(400, 31, 'Malformed parameter: targeting must be an object');
    const push = body.push_time ?? 'now';
    if (push !== 'now' && !(typeof push === 'string' && PUSH_TIME.test(push) && !Number.isNaN(Date.parse(`${push}Z`)))) {
      return fail(400, 31, 'Malformed parameter: push_time must be "now" or YYYY-MM-DDTHH:mm:ss');
    }
    if (push !== 'now' && Date.parse(`${push}Z`) < Date.now() - PUSH_TIME_TOLERANCE_MS) return fail(400, 31, 'Malformed parameter: push_time is in the past');
    const token = `${(++counter).toString(16).padStart(8, '0')}${'c'.repeat(24)}`;
    const at = push === 'now' ? batchTime(new Date()) : String(push);
    const record = { ...body, campaign_token: token, from_api: true, dev_only: dev, created_date: batchTime(new Date()), push_time: at } as BatchSeedCampaign['record'];
    const future = Date.parse(`${at}Z`) > Date.now();
    campaigns.push({ record, expected: { status: body.live ? (future ? 'scheduled' : 'completed') : 'draft', channel: 'push' }, stats: [] });
    w.counts.creates++;
    // "HTTP 201 with a campaigns token" (notes 3(e)); the key name is [U].
    return { status: 201, body: { campaign_token: token } };
  }

  function send(body: unknown): SimReply {
    if (body === BAD_JSON || !isObject(body)) return fail(400, 32, 'Malformed JSON body');
    if (typeof body.group_id !== 'string' || !isObject(body.recipients) || !isObject(body.message)) return fail(400, 30, 'Missing parameter: group_id, recipients and message are required');
    if (!GROUP_ID.test(body.group_id)) return fail(400, 31, 'Malformed parameter: group_id may contain a-z, A-Z, 0-9, _ and - only');
    const r = body.recipients;
    const lists = RECIPIENT_KEYS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]] as const);
    if (!lists.length || !lists.every(([, v]) => Array.isArray(v) && v.length > 0)) return fail(400, 30, 'Missing parameter: recipients needs tokens, install_ids or custom_ids');
    for (const [k, v] of lists) {
      const ids = v as unknown[];
      if (ids.some((x) => typeof x !== 'string' || !x)) return fail(400, 31, `Malformed parameter: recipients.${k} must be non-empty strings`);
      if (ids.length > BATCH_SIM_MAX_RECIPIENTS) return fail(400, 31, `Malformed parameter: at most ${BATCH_SIM_MAX_RECIPIENTS} ${k}`);
    }
    if (typeof body.message.body !== 'string' || !body.message.body) return fail(400, 30, 'Missing parameter: message.body');
    for (const [k, v] of lists) countRecipients(w.received, k, v as string[]);
    w.sends.push({ group_id: body.group_id, recipients: lists.reduce((n, [, v]) => n + (v as unknown[]).length, 0) });
    w.counts.sends++;
    return { status: 201, body: { token: `tx-${(++counter).toString(16).padStart(8, '0')}` } };
  }

  function update(token: string, body: unknown): SimReply {
    const c = campaigns.find((x) => x.record.campaign_token === token);
    if (!c) return fail(404, 20, `Campaign not found: ${token}`);
    if (body === BAD_JSON || !isObject(body)) return fail(400, 32, 'Malformed JSON body');
    // "It only updates API-created campaigns" (notes 3(g)); the error code for it is [U].
    if (c.record.from_api !== true) return fail(403, 12, 'API misuse: only campaigns created through the API can be updated');
    if (body.live !== undefined && typeof body.live !== 'boolean') return fail(400, 31, 'Malformed parameter: live must be a boolean');
    if (body.name !== undefined && typeof body.name !== 'string') return fail(400, 31, 'Malformed parameter: name must be a string');
    Object.assign(c.record, body);
    const start = Date.parse(`${String(c.record.push_time)}Z`);
    c.expected.status = c.record.live ? (start > Date.now() ? 'scheduled' : 'completed') : start > Date.now() ? 'draft' : 'stopped';
    w.counts.updates++;
    return { status: 200, body: { campaign_token: token } };
  }

  function handle(req: SimRequest, route: string, dev: boolean): Promise<SimReply> | undefined {
    if (req.method !== 'POST') return undefined;
    const [a, b, c, extra] = route.split('/');
    if (a === 'campaigns' && b === 'create' && !c) return knobs.apply(route, () => create(req.body, dev));
    if (a === 'transactional' && b === 'send' && !c) {
      return knobs.throttle(req.at).then((limited) => limited ?? knobs.apply(route, () => send(req.body)));
    }
    if (a === 'campaigns' && b === 'update' && c && !extra) return knobs.apply(route, () => update(decodeURIComponent(c), req.body));
    return undefined;
  }

  return w;
}
