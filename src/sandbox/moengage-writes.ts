import { createHash } from 'node:crypto';
import { fmt, type MoeSimCampaign } from './moengage-data.js';
import { BAD_JSON, type SimReply, type SimRequest } from './sim.js';
import { realClock, type Clock } from '../clock.js';
import { noWriteFaults, Windows, withWriteFaults, type WriteFaults } from './write-windows.js';

/** An Inform alert as configured in the dashboard: the template a transactional send goes through. */
export interface MoeSimAlert {
  alert_id: string;
  alert_reference_name: string;
  channels: Array<'EMAIL' | 'SMS' | 'PUSH'>;
}

/** The alert every sandbox send can use (`campaign_id` of send_to_users on MoEngage). */
export const MOENGAGE_SANDBOX_ALERT: MoeSimAlert = { alert_id: '6650f1a2b3c4d5e6f7a8b9c0', alert_reference_name: 'order_update', channels: ['EMAIL', 'SMS', 'PUSH'] };

/** v1 create: 5/s, 25/min, 100/h requests per client (campaigns.yaml, notes §2 rate-limit table). */
const CREATE_ATTEMPTS = [{ max: 5, ms: 1_000 }, { max: 25, ms: 60_000 }, { max: 100, ms: 3_600_000 }];
/** v1 create: successful creations 5/min, 25/h, 100/day (rate-limits.mdx, notes §2); the stricter page. */
export const MOENGAGE_SIM_CREATIONS = [{ max: 5, ms: 60_000 }, { max: 25, ms: 3_600_000 }, { max: 100, ms: 86_400_000 }];
/** A successful request_id cannot be reused for 1 h (push) or 1 day (email) (notes §2 (e)). */
const REUSE_MS: Record<string, number> = { PUSH: 3_600_000, EMAIL: 86_400_000 };
/** Inform: 10,000/min (notes §2 rate-limit table); transaction_id ≤ 50 chars, deduplicated 5 min (notes §2 (f)). */
const INFORM_PER_MIN = 10_000;
const TX_MAX = 50;
const TX_WINDOW_MS = 300_000;
const DELIVERY = ['ONE_TIME', 'PERIODIC', 'EVENT_TRIGGERED', 'BUSINESS_EVENT_TRIGGERED', 'DEVICE_TRIGGERED', 'LOCATION_TRIGGERED', 'BROADCAST_LIVE_ACTIVITY'];
const PUSH_ONLY = ['DEVICE_TRIGGERED', 'LOCATION_TRIGGERED', 'BROADCAST_LIVE_ACTIVITY'];
const SCHEDULES = ['ASAP', 'AT_FIXED_TIME', 'SEND_IN_BTS', 'SEND_IN_USER_TIMEZONE'];

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** What the write endpoints recorded, and their knobs. */
export interface MoeWrites {
  alerts: MoeSimAlert[];
  /** Accepted Inform messages: alert id -> recipient -> times reached. */
  reached: Map<string, Map<string, number>>;
  /** Campaigns created through the API (also listed by search). */
  created: MoeSimCampaign[];
  faults: WriteFaults;
  /** Answer a write route, or undefined for any other path. */
  handle(req: SimRequest, authorized: boolean): Promise<SimReply> | undefined;
}

const v1 = (status: number, code: string, target: string, message: string, rid = ''): SimReply =>
  ({ status, body: { error: { code, message, target, details: [{ target, message }], request_id: rid } } });
const bad = (target: string, message: string, rid?: unknown) => v1(400, '400 Bad Request', target, message, isStr(rid) ? rid : '');
const inform = (status: number, message: string, err_code: string, status_code: number): SimReply => ({ status, body: { message, err_code, status_code } });
const V1_UNAUTHORIZED = v1(401, '401 Authentication error', 'APP_SECRET_KEY', 'Authentication required');
const V1_RATE = (wait: number): SimReply => ({ ...v1(429, '429 conflict', '', 'rate_limit'), headers: { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) } });

/** The write side of the MoEngage simulator: v1 create and Inform alerts/send, from campaigns.yaml and inform.yaml. */
export function moengageWrites(campaigns: MoeSimCampaign[], opts: { creations?: Array<{ max: number; ms: number }>; clock?: Clock } = {}): MoeWrites {
  const clock = opts.clock ?? realClock;
  const attempts = new Windows(CREATE_ATTEMPTS, clock);
  const creations = new Windows(opts.creations ?? MOENGAGE_SIM_CREATIONS, clock);
  const informRate = new Windows([{ max: INFORM_PER_MIN, ms: 60_000 }], clock);
  const usedRequestIds = new Map<string, number>();
  const transactions = new Map<string, number>();
  const w: MoeWrites = { alerts: [MOENGAGE_SANDBOX_ALERT], reached: new Map(), created: [], faults: noWriteFaults(), handle };

  function handle(req: SimRequest, authorized: boolean): Promise<SimReply> | undefined {
    const path = req.path.replace(/\/+$/, '');
    if (path !== '/core-services/v1/campaigns' && path !== '/v1.0/alerts/send') return undefined;
    const isCreate = path === '/core-services/v1/campaigns';
    if (req.method !== 'POST') return Promise.resolve(v1(405, '405 Method Not Allowed', 'method', `${req.method} is not allowed; use POST`));
    if (!authorized) return Promise.resolve(isCreate ? V1_UNAUTHORIZED : inform(401, 'Invalid App Key or Basic Auth', 'UNAUTHORIZED', 120001));
    const envelopes = isCreate
      ? { throttled: () => V1_RATE(1000), failed: () => v1(500, '500 Internal Server Error', 'string', 'Something went wrong. Please contact Moengage team') }
      : { throttled: () => inform(429, 'Too many requests', 'Rate Limit', 140110), failed: () => inform(500, 'Unexpected error occurred', 'Internal Server Error', 140109) };
    return withWriteFaults(w.faults, () => (isCreate ? create(req.body, req.at) : send(req.body, req.at)), envelopes);
  }

  function create(body: unknown, at: number): SimReply {
    const wait = attempts.take(at);
    if (wait > 0) return V1_RATE(wait);
    if (body === BAD_JSON || !isObj(body)) return bad('body', 'Request body must be a JSON object');
    const rid = body.request_id;
    if (!isStr(rid)) return bad('request_id', 'request_id key is mandatory field');
    const ch = body.channel;
    if (ch !== 'PUSH' && ch !== 'EMAIL') return bad('channel', 'channel must be PUSH or EMAIL', rid);
    const used = usedRequestIds.get(rid);
    if (used !== undefined && clock.now() - used < REUSE_MS[ch]!) return v1(409, '409 Conflict', 'request_id', 'request_id was already used for a successful request', rid);
    const type = body.campaign_delivery_type;
    if (!DELIVERY.includes(String(type)) || (ch === 'EMAIL' && PUSH_ONLY.includes(String(type)))) return bad('campaign_delivery_type', `Invalid campaign_delivery_type for ${ch}`, rid);
    if (!isStr(body.created_by) || !/^[^@\s]+@[^@\s]+$/.test(body.created_by)) return bad('created_by', 'created_by key is mandatory field and must be an email', rid);
    const basic = body.basic_details;
    if (!isObj(basic) || !isStr(basic.name)) return bad('basic_details.name', 'basic_details.name key is mandatory field', rid);
    const content = isObj(body.campaign_content) && isObj(body.campaign_content.content) ? body.campaign_content.content : undefined;
    if (ch === 'PUSH') {
      if (!Array.isArray(basic.platforms) || !basic.platforms.length || !basic.platforms.every((p) => ['ANDROID', 'IOS', 'WEB'].includes(p as string))) return bad('basic_details.platforms', 'platforms must list ANDROID, IOS or WEB', rid);
      if (!isObj(basic.platform_specific_details)) return bad('basic_details.platform_specific_details', 'platform_specific_details key is mandatory field', rid);
      const push = isObj(content?.push) ? content.push : undefined;
      const ok = push && basic.platforms.every((p) => { const c = push[String(p).toLowerCase()]; const d = isObj(c) ? c.basic_details : undefined; return isObj(c) && isStr(c.template_type) && isObj(d) && isStr(d.title) && isStr(d.message); });
      if (!ok) return bad('campaign_content.content.push', 'every platform needs template_type and basic_details with title and message', rid);
      if (!isObj(body.delivery_controls) || !isObj(body.advanced)) return bad(isObj(body.delivery_controls) ? 'advanced' : 'delivery_controls', 'key is mandatory field for PUSH', rid);
    } else {
      if (!['PROMOTIONAL', 'TRANSACTIONAL'].includes(String(basic.content_type)) || !isStr(basic.user_attribute_identifier)) return bad('basic_details', 'content_type and user_attribute_identifier are mandatory for EMAIL', rid);
      const email = isObj(content?.email) ? content.email : undefined;
      if (!email || !isStr(email.subject) || !isStr(email.html_content)) return bad('campaign_content.content.email', 'email needs subject and html_content', rid);
      const conn = body.connector;
      if (!isObj(conn) || !isStr(conn.connector_type) || !isStr(conn.connector_name)) return bad('connector', 'connector_type and connector_name are mandatory for EMAIL', rid);
    }
    const seg = body.segmentation_details;
    const filters = isObj(seg) && isObj(seg.included_filters) ? seg.included_filters.filters : undefined;
    if (!isObj(seg) || !(seg.is_all_user_campaign === true || (Array.isArray(filters) && filters.length))) return bad('segmentation_details', 'give is_all_user_campaign or included_filters', rid);
    const sched = body.scheduling_details;
    if (!isObj(sched) || !SCHEDULES.includes(String(sched.delivery_type))) return bad('scheduling_details.delivery_type', `delivery_type must be one of ${SCHEDULES.join(', ')}`, rid);
    if (sched.delivery_type === 'AT_FIXED_TIME' && !(isStr(sched.start_time) && !Number.isNaN(Date.parse(`${sched.start_time}Z`)))) return bad('scheduling_details.start_time', 'start_time (UTC, YYYY-MM-DDTHH:mm:ss) is mandatory for AT_FIXED_TIME', rid);
    const quota = creations.take(at);
    if (quota > 0) return V1_RATE(quota);
    usedRequestIds.set(rid, clock.now());
    const now = new Date();
    const id = `camp_${createHash('sha256').update(rid).digest('hex').slice(0, 20)}`;
    const fixed = sched.delivery_type === 'AT_FIXED_TIME';
    const c: MoeSimCampaign = {
      ...(body as Body), request_id: undefined, campaign_id: id, status: fixed ? 'Scheduled' : type === 'ONE_TIME' ? 'Sent' : 'Active',
      channel: ch, campaign_delivery_type: type as MoeSimCampaign['campaign_delivery_type'], created_by: body.created_by,
      created_at: fmt(now, true), updated_at: fmt(now, true), ...(!fixed && type === 'ONE_TIME' && { sent_time: fmt(now) }),
      basic_details: { ...basic, name: basic.name, tags: Array.isArray(basic.tags) ? (basic.tags as string[]) : [] },
      scheduling_details: { ...sched, ...(isStr(sched.start_time) && { start_time: sched.start_time }) },
    };
    delete c.request_id;
    campaigns.push(c);
    w.created.push(c);
    return { status: 201, body: { campaign_id: id } };
  }

  function send(body: unknown, at: number): SimReply {
    if (informRate.take(at) > 0) return { ...inform(429, 'Too many requests', 'Rate Limit', 140110), headers: { 'retry-after': '60' } };
    if (body === BAD_JSON || !isObj(body)) return inform(400, 'Invalid payload format', 'BAD_REQUEST', 120003);
    const tx = body.transaction_id;
    if (!isStr(tx) || tx.length > TX_MAX) return inform(400, `transaction_id is mandatory, at most ${TX_MAX} characters`, 'BAD_REQUEST', 120003);
    const alert = w.alerts.find((a) => (body.alert_id !== undefined ? a.alert_id === body.alert_id : a.alert_reference_name === body.alert_reference_name));
    if (!alert) return inform(400, 'Invalid Alert ID', 'BAD_REQUEST', 120002);
    if (body.user_id !== undefined && !isStr(body.user_id)) return inform(400, 'user_id must be a string', 'BAD_REQUEST', 120003);
    const p = body.payloads;
    const channels = isObj(p) ? Object.keys(p) : [];
    if (!channels.length) return inform(400, 'payloads is mandatory', 'BAD_REQUEST', 120003);
    for (const ch of channels) {
      const c = (p as Body)[ch];
      if (!alert.channels.includes(ch as MoeSimAlert['channels'][number])) return inform(400, `Channel ${ch} is not configured for this alert`, 'BAD_REQUEST', 120003);
      if (!isObj(c) || !isStr(c.recipient) || /[,;]/.test(c.recipient)) return inform(400, 'recipient must be one user (Inform sends to one user per request)', 'BAD_REQUEST', 120003);
    }
    const seen = transactions.get(tx);
    if (seen !== undefined && clock.now() - seen < TX_WINDOW_MS) return inform(409, 'Duplicate Transaction ID', 'DUPLICATE_REQUEST_RECEIVED', 120105);
    transactions.set(tx, clock.now());
    const byRecipient = w.reached.get(alert.alert_id) ?? new Map<string, number>();
    w.reached.set(alert.alert_id, byRecipient);
    const out: Body = { message: 'Successfully Received', request_id: createHash('sha256').update(tx).digest('hex').slice(0, 24) };
    for (const ch of channels) {
      const r = ((p as Body)[ch] as Body).recipient as string;
      byRecipient.set(r, (byRecipient.get(r) ?? 0) + 1);
      out[ch] = { message: 'Success', status_code: 200 };
    }
    return { status: 200, body: out };
  }

  return w;
}
