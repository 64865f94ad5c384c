import { seedMoEngage, type MoeSimCampaign, type MoeSimStats } from './moengage-data.js';
import { realClock, type Clock } from '../clock.js';
import { BAD_JSON, prng, serveSim, type RunningSim, type SimReply, type SimRequest } from './sim.js';
import { moengageWrites, type MoeWrites } from './moengage-writes.js';

/** Credentials the simulator accepts; same names as MoEngageOptions. */
export interface MoEngageSimCredentials {
  workspaceId: string;
  apiKey: string;
}

/** Default sandbox credentials (--sandbox and tests). */
export const MOENGAGE_SANDBOX_CREDENTIALS: MoEngageSimCredentials = { workspaceId: 'SANDBOXMOE01', apiKey: 'sandbox-moe-api-key' };
/** search, meta, status: 10/s, 100/min, 6000/h per workspace (notes §2 rate-limit table). */
export const MOENGAGE_SIM_SEARCH_LIMITS = [{ max: 10, ms: 1_000 }, { max: 100, ms: 60_000 }, { max: 6_000, ms: 3_600_000 }];
/** campaign-stats: 100/min per workspace (notes §2 rate-limit table). */
export const MOENGAGE_SIM_STATS_LIMITS = [{ max: 100, ms: 60_000 }];

/** A running v1 campaigns simulator with its seeded truth. */
export interface MoEngageSim extends RunningSim {
  credentials: MoEngageSimCredentials;
  campaigns: MoeSimCampaign[];
  stats: Map<string, MoeSimStats>;
  reach: Map<string, { count: number; last_updated_time: string }>;
  /** Create and Inform endpoints: what they accepted, and their fault knobs. */
  writes: MoeWrites;
}

const ROUTES: Record<string, 'search' | 'meta' | 'stats' | 'status'> = {
  '/core-services/v1/campaigns/search': 'search', '/core-services/v1/campaigns/meta': 'meta',
  '/core-services/v1/campaign-stats': 'stats', '/core-services/v1/campaigns/status': 'status',
};
/**
 * The keys of a search item seed 002 documents (its 200 table and sample response), and of basic_details
 * (the sample plus `platforms` from notes §2 (a)): the documented-fields-only mode answers nothing else.
 */
export const MOENGAGE_DOCUMENTED_KEYS = [
  'campaign_id', 'status', 'basic_details', 'campaign_content', 'connector', 'campaign_delivery_type', 'channel', 'control_group_details',
  'conversion_goal_details', 'created_by', 'updated_by', 'created_at', 'updated_at', 'sent_time', 'delivery_controls', 'scheduling_details',
  'segmentation_details', 'trigger_condition', 'utm_params',
] as const;
const BASIC_DETAILS_KEYS = ['name', 'content_type', 'team', 'tags', 'subscription_category', 'user_attribute_identifier', 'platforms'];
const CHANNELS = ['PUSH', 'EMAIL', 'SMS'];
const DELIVERY = ['ONE_TIME', 'PERIODIC', 'EVENT_TRIGGERED', 'BUSINESS_EVENT_TRIGGERED', 'DEVICE_TRIGGERED', 'LOCATION_TRIGGERED', 'BROADCAST_LIVE_ACTIVITY'];
const ATTRIBUTION = ['VIEW_THROUGH', 'CLICK_THROUGH', 'IN_SESSION', 'TOTAL_CONVERSIONS', 'CLICK_CONVERSIONS'];
/** The v1 429 body (notes §2 Errors). */
const RATE_BODY = { error: { code: '429 conflict', message: 'rate_limit' } };
/** The seed's 401 envelope. */
const UNAUTHORIZED = {
  error: {
    code: '401 Authentication error', message: 'Authentication required',
    details: [{ code: 'InvalidValue', target: 'APP_SECRET_KEY', message: [{ code: 'InvalidValue', target: 'APP_SECRET_KEY', message: 'Invalid APP_SECRET_KEY is provided.' }] }],
    request_id: '',
  },
};

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrList = (v: unknown, allowed?: string[]) => Array.isArray(v) && v.every((x) => typeof x === 'string' && (!allowed || allowed.includes(x)));
const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The v1 campaigns error envelope (seed 002). */
function v1Error(status: number, code: string, target: string, message: string, requestId = ''): SimReply {
  return { status, body: { error: { code, message, target, details: [{ target, message }], request_id: requestId } } };
}
const bad = (target: string, message: string, rid?: unknown) => v1Error(400, '400 Bad Request', target, message, typeof rid === 'string' ? rid : '');
/** The campaign-stats error shape (notes §2 Errors). */
const statsError = (status: number, title: string, description: string): SimReply => ({ status, body: { title, description, code: status } });

/** DD-MM-YYYY (seed), YYYY-MM-DD (campaigns.yaml) or YYYY-MM-DDTHH:MM:SS (v5 meta) as YYYY-MM-DD. */
export function simDay(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const dmy = /^(\d{2})-(\d{2})-(\d{4})$/.exec(v);
  const day = dmy ? `${dmy[3]}-${dmy[2]}-${dmy[1]}` : /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2})?$/.exec(v)?.[1];
  return day && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day) ? day : undefined;
}

/** Start a strict loopback simulator of MoEngage's v1 campaigns API (search, meta, campaign-stats, status). */
export async function startMoEngageSim(
  opts: { seed?: number; now?: Date; port?: number; credentials?: Partial<MoEngageSimCredentials>; documentedOnly?: boolean; creations?: Array<{ max: number; ms: number }>; clock?: Clock } = {},
): Promise<MoEngageSim> {
  const credentials = { ...MOENGAGE_SANDBOX_CREDENTIALS, ...opts.credentials };
  const data = seedMoEngage(opts.seed ?? 2, opts.now ?? new Date());
  const hits = new Map<string, number[]>();
  const clock = opts.clock ?? realClock;
  const writes = moengageWrites(data.campaigns, { creations: opts.creations, clock });

  function take(key: string, windows: Array<{ max: number; ms: number }>, t: number): { ok: boolean; headers: Record<string, string> } {
    const log = (hits.get(key) ?? []).filter((x) => x > t - Math.max(...windows.map((w) => w.ms)));
    hits.set(key, log);
    let wait = 0;
    for (const w of windows) {
      const inside = log.filter((x) => x > t - w.ms);
      if (inside.length >= w.max) wait = Math.max(wait, inside[inside.length - w.max]! + w.ms - t);
    }
    if (wait === 0) log.push(t);
    const minute = windows.find((w) => w.ms === 60_000)!;
    const inMinute = log.filter((x) => x > t - 60_000);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': `${minute.max}, ${minute.max};w=60`,
      'x-ratelimit-remaining': String(Math.max(0, minute.max - inMinute.length)),
      'x-ratelimit-reset': String(inMinute.length ? Math.ceil((inMinute[0]! + 60_000 - t) / 1000) : 60),
    };
    if (wait > 0) headers['retry-after'] = String(Math.max(1, Math.ceil(wait / 1000)));
    return { ok: wait === 0, headers };
  }

  function authorized(req: SimRequest): boolean {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header(req.headers.authorization) ?? '');
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    return decoded === `${credentials.workspaceId}:${credentials.apiKey}` && header(req.headers['moe-appkey']) === credentials.workspaceId;
  }

  function handler(req: SimRequest): SimReply | Promise<SimReply> {
    const written = writes.handle(req, authorized(req));
    if (written) return written;
    const route = ROUTES[req.path.replace(/\/+$/, '')];
    if (!route) return v1Error(404, '404 Not Found', 'path', `No API found for ${req.path}`);
    if (req.method !== 'POST') return v1Error(405, '405 Method Not Allowed', 'method', `${req.method} is not allowed; use POST`);
    if (!authorized(req)) return route === 'stats' ? statsError(401, 'Unauthorized', 'Invalid workspace id or API key') : { status: 401, body: UNAUTHORIZED };
    const group = route === 'stats' ? 'stats' : 'search';
    const limit = take(group, route === 'stats' ? MOENGAGE_SIM_STATS_LIMITS : MOENGAGE_SIM_SEARCH_LIMITS, req.at);
    if (!limit.ok) return { status: 429, body: RATE_BODY, headers: limit.headers };
    const reply = req.body === BAD_JSON
      ? v1Error(500, '500 Internal Server Error', 'string', 'Something went wrong. Please contact Moengage team')
      : route === 'stats' ? campaignStats(req.body) : route === 'status' ? changeStatus(req.body) : search(req.body, route === 'meta');
    return { ...reply, headers: { ...reply.headers, ...limit.headers } };
  }

  function search(body: unknown, meta: boolean): SimReply {
    if (!isObj(body)) return bad('body', 'Request body must be a JSON object');
    const rid = body.request_id;
    if (typeof rid !== 'string' || !rid) return bad('request_id', 'request_id key is mandatory field', rid);
    const { limit, page } = body;
    if (limit === undefined) return bad('limit', 'limit key is mandatory field', rid);
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 15) return bad('limit', 'limit must be an integer between 1 and 15', rid);
    if (page === undefined) return bad('page', 'page key is mandatory field', rid);
    if (!Number.isInteger(page) || (page as number) < 1) return bad('page', 'page must be an integer greater than or equal to 1', rid);
    for (const k of ['include_archive_campaigns', 'include_child_campaigns']) {
      if (body[k] !== undefined && typeof body[k] !== 'boolean') return bad(k, `${k} must be a boolean`, rid);
    }
    const f = body.campaign_fields ?? {};
    if (!isObj(f)) return bad('campaign_fields', 'campaign_fields must be a JSON object', rid);
    // status: seed 002 documents the words search returns ("For example, Active"); they match exactly, so an
    // UPPERCASE word matches nothing and the answer is an empty 200, as the issue reports for real accounts.
    const lists: Array<[string, string[] | undefined]> = [['channels', CHANNELS], ['status', undefined], ['delivery_type', DELIVERY], ['tags', undefined], ['created_by', undefined]];
    for (const [k, allowed] of lists) {
      if (f[k] !== undefined && !isStrList(f[k], allowed)) {
        return bad(`campaign_fields.${k}`, `Invalid value for ${k}${allowed ? `; allowed values: ${allowed.join(', ')}` : ': expected a list of strings'}`, rid);
      }
    }
    for (const k of ['id', 'name']) if (f[k] !== undefined && typeof f[k] !== 'string') return bad(`campaign_fields.${k}`, `${k} must be a string`, rid);
    let from: string | undefined;
    let to: string | undefined;
    if (f.created_date !== undefined) {
      const cd = f.created_date;
      if (!isObj(cd)) return bad('campaign_fields.created_date', 'created_date must be a JSON object', rid);
      from = simDay(cd.from_date);
      to = simDay(cd.to_date);
      if ((cd.from_date !== undefined && !from) || (cd.to_date !== undefined && !to)) {
        return bad('campaign_fields.created_date', 'Invalid date format; use DD-MM-YYYY', rid);
      }
    }
    const name = typeof f.name === 'string' ? f.name.toLowerCase() : undefined;
    const has = (k: string, v: string) => f[k] === undefined || (f[k] as string[]).includes(v);
    const found = data.campaigns
      .filter((c) =>
        (body.include_archive_campaigns === true || c.status !== 'Archived') &&
        (f.id === undefined || c.campaign_id === f.id) && has('channels', c.channel) && has('status', c.status) &&
        has('delivery_type', c.campaign_delivery_type) && has('created_by', c.created_by) &&
        (name === undefined || c.basic_details.name.toLowerCase().includes(name)) &&
        (f.tags === undefined || (f.tags as string[]).some((t) => c.basic_details.tags.includes(t))) &&
        (!from || c.created_at.slice(0, 10) >= from) && (!to || c.created_at.slice(0, 10) <= to))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0))
      .slice(((page as number) - 1) * (limit as number), (page as number) * (limit as number));
    return { status: 200, body: meta ? found.map(toMeta) : opts.documentedOnly ? found.map(documented) : found };
  }

  function documented(c: MoeSimCampaign): Body {
    const keep = (o: Body, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
    return { ...keep(c, MOENGAGE_DOCUMENTED_KEYS), basic_details: keep(c.basic_details, BASIC_DETAILS_KEYS) };
  }

  function toMeta(c: MoeSimCampaign): Body {
    const reach = data.reach.get(c.campaign_id);
    return {
      campaign_id: c.campaign_id, channel: c.channel, platform: (c.basic_details.platforms as string[] | undefined) ?? [c.channel],
      created_by: c.created_by, campaign_delivery_type: c.campaign_delivery_type, campaign_name: c.basic_details.name,
      campaign_team: c.basic_details.team, campaign_tags: c.basic_details.tags, campaign_status: c.status,
      campaign_start_time: c.scheduling_details.start_time, ...(reach && { reachability_details: reach }),
    };
  }

  function campaignStats(body: unknown): SimReply {
    if (!isObj(body)) return statsError(400, 'Bad Request', 'Request body must be a JSON object');
    if (typeof body.request_id !== 'string' || !body.request_id) return statsError(400, 'Bad Request', 'request_id is mandatory');
    const start = /^\d{4}-\d{2}-\d{2}$/.test(String(body.start_date)) ? simDay(body.start_date) : undefined;
    const end = /^\d{4}-\d{2}-\d{2}$/.test(String(body.end_date)) ? simDay(body.end_date) : undefined;
    if (!start || !end) return statsError(400, 'Bad Request', 'start_date and end_date are mandatory, as YYYY-MM-DD');
    const span = (Date.parse(end) - Date.parse(start)) / 86_400_000;
    if (span < 0) return statsError(400, 'Bad Request', 'end_date must not be before start_date');
    if (span > 30) return statsError(400, 'Bad Request', 'The date range between start_date and end_date must not exceed 30 days');
    if (!ATTRIBUTION.includes(String(body.attribution_type))) return statsError(400, 'Bad Request', `attribution_type must be one of ${ATTRIBUTION.join(', ')}`);
    if (body.metric_type !== 'TOTAL' && body.metric_type !== 'UNIQUE') return statsError(400, 'Bad Request', 'metric_type must be TOTAL or UNIQUE');
    const ids = body.campaign_ids;
    if (ids !== undefined && (!isStrList(ids) || (ids as string[]).length > 10)) return statsError(400, 'Bad Request', 'campaign_ids must be a list of at most 10 ids');
    const lim = body.limit ?? 10;
    const off = body.offset ?? 0;
    if (!Number.isInteger(lim) || (lim as number) < 1 || (lim as number) > 10) return statsError(400, 'Bad Request', 'limit must be between 1 and 10');
    if (!Number.isInteger(off) || (off as number) < 0) return statsError(400, 'Bad Request', 'offset must be 0 or more');
    const inRange = [...data.stats].filter(([id, s]) => (!ids || (ids as string[]).includes(id)) && s.first <= end && s.last >= start);
    const pageOf = inRange.slice(off as number, (off as number) + (lim as number));
    return {
      status: 200,
      body: {
        response_id: body.request_id, total_campaigns: inRange.length, current_page: Math.floor((off as number) / (lim as number)) + 1,
        total_pages: Math.max(1, Math.ceil(inRange.length / (lim as number))), data: Object.fromEntries(pageOf.map(([id, s]) => [id, s.entry])),
      },
    };
  }

  function changeStatus(body: unknown): SimReply {
    if (!isObj(body)) return bad('body', 'Request body must be a JSON object');
    const rid = body.request_id;
    if (typeof rid !== 'string' || !rid) return bad('request_id', 'request_id key is mandatory field', rid);
    const action = body.action;
    if (action !== 'STOP' && action !== 'PAUSE' && action !== 'RESUME') return bad('action', 'action must be one of STOP, PAUSE, RESUME', rid);
    const ids = body.campaign_ids;
    if (!isStrList(ids) || !(ids as string[]).length || (ids as string[]).length > 10) return bad('campaign_ids', 'campaign_ids must list 1 to 10 ids', rid);
    const targets = (ids as string[]).map((id) => data.campaigns.find((c) => c.campaign_id === id));
    const missing = (ids as string[]).find((_, i) => !targets[i]);
    if (missing) return bad('campaign_ids', `Invalid campaign id: ${missing}`, rid);
    for (const c of targets as MoeSimCampaign[]) {
      const ok = action === 'STOP' ? c.status === 'Scheduled' && c.campaign_delivery_type === 'ONE_TIME'
        : action === 'PAUSE' ? c.status === 'Active' && c.campaign_delivery_type !== 'ONE_TIME' : c.status === 'Paused';
      if (!ok) return bad('campaign_ids', `${action} is not allowed for campaign ${c.campaign_id} (${c.status}, ${c.campaign_delivery_type})`, rid);
    }
    for (const c of targets as MoeSimCampaign[]) c.status = action === 'STOP' ? 'Stopped' : action === 'PAUSE' ? 'Paused' : 'Active';
    return { status: 200 };
  }

  const sim = await serveSim(handler, { port: opts.port, rng: prng((opts.seed ?? 2) + 1), rateLimited: () => ({ status: 429, body: RATE_BODY }), clock });
  return Object.assign(sim, { credentials, campaigns: data.campaigns, stats: data.stats, reach: data.reach, writes });
}
