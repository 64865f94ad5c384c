import { realClock, type Clock } from '../clock.js';
import { BAD_JSON, prng, serveSim, type RunningSim, type SimReply, type SimRequest } from './sim.js';
import { seedAltcraft, type SimMailing, type SimScampaign, type SimSegment } from './altcraft-data.js';
import { altcraftWrites, type AltcraftWrites } from './altcraft-writes.js';

/** Credentials the sandbox accepts when none are given. */
export const ALTCRAFT_SANDBOX_CREDENTIALS = { token: 'sandbox-altcraft-token-0001' };

/** Documented page-size maximum for from_id/limit listings (notes §4 "limit (default 1000)"). */
export const ALTCRAFT_SIM_MAX_LIMIT = 1000;

export interface AltcraftSimOptions {
  seed?: number;
  now?: Date;
  port?: number;
  credentials?: Partial<typeof ALTCRAFT_SANDBOX_CREDENTIALS>;
  /** Requests per second before a 429; Altcraft's real limit is [U]. */
  rateLimitPerSec?: number;
  /** Which name segments/get_counters accepts for the database (revisions differ); default both. */
  countersDbField?: 'list_id' | 'db_id' | 'both';
  /**
   * Answer only fields the documents name: mailings in campaigns/list and campaigns/get carry id, name,
   * type, updated_user, update_time, is_active (notes 4(b)); get adds content and start_schedule (regulars/get).
   */
  documentedOnly?: boolean;
  /** The clock of its rate limit (a test's fast clock; default wall time). */
  clock?: Clock;
}

/** Mailing fields the notes document for campaigns/get (4(b)): what documentedOnly mode answers in listings. */
const DOCUMENTED_MAILING = ['id', 'name', 'type', 'updated_user', 'update_time', 'is_active'] as const;

/** The running Altcraft simulator with its seeded truth. */
export interface AltcraftSim extends RunningSim {
  credentials: { token: string };
  /** Campaign containers (scampaigns). */
  campaigns: SimScampaign[];
  mailings: SimMailing[];
  segments: SimSegment[];
  /** Routes (e.g. "scampaigns/get") answered as unknown methods, to exercise fallbacks. */
  disabledRoutes: Set<string>;
  /** Routes answered with this error code in the envelope (e.g. 403: the token lacks the method's rights). */
  failRoutes: Map<string, number>;
  /** Create, trigger-send and status methods: what they accepted, and their fault knobs. */
  writes: AltcraftWrites;
}

type Body = Record<string, unknown>;
const OK = { error: 0, error_text: 'Successful operation' };
const STATES = ['cloning', 'inactive', 'waiting', 'active', 'completed', 'deleted'];

/** Start a loopback Altcraft API (POST /api/v1.1/<method>) serving seeded campaigns and mailings. */
export async function startAltcraftSim(opts: AltcraftSimOptions = {}): Promise<AltcraftSim> {
  const seed = opts.seed ?? 4;
  const truth = seedAltcraft(seed, opts.now ?? new Date());
  const credentials = { ...ALTCRAFT_SANDBOX_CREDENTIALS, ...opts.credentials };
  const perSec = opts.rateLimitPerSec ?? 20;
  const dbField = opts.countersDbField ?? 'both';
  const disabledRoutes = new Set<string>();
  const failRoutes = new Map<string, number>();
  const documented = opts.documentedOnly === true;
  const pickFields = (r: SimMailing, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, r[k as keyof SimMailing]]));
  const recent: number[] = [];
  const clock = opts.clock ?? realClock;

  /** [U] Errors: HTTP 200 + envelope for scampaigns/segments, the code as HTTP status for campaigns. */
  const fail = (method: string, code: number, text: string): SimReply => ({
    status: method.startsWith('campaigns/') ? code : 200,
    body: { error: code, error_text: text, data: null },
  });
  const ok = (data: unknown, extra: Body = {}): SimReply => ({ status: 200, body: { ...OK, data, ...extra } });
  const writes = altcraftWrites(truth, { ok, fail }, opts.now ?? new Date());

  function page<T extends { id: number }>(items: T[], b: Body): { items: T[]; next?: number } {
    const from = (b.from_id as number | undefined) ?? 1;
    const limit = (b.limit as number | undefined) ?? ALTCRAFT_SIM_MAX_LIMIT;
    const rest = items.filter((r) => r.id >= from).sort((a, z) => a.id - z.id);
    return { items: rest.slice(0, limit), next: rest[limit]?.id };
  }

  function checkPaging(method: string, b: Body): SimReply | undefined {
    if (b.from_id !== undefined && !(Number.isInteger(b.from_id) && (b.from_id as number) >= 0)) return fail(method, 400, 'from_id must be a non-negative integer');
    if (b.limit !== undefined && !(Number.isInteger(b.limit) && (b.limit as number) >= 1 && (b.limit as number) <= ALTCRAFT_SIM_MAX_LIMIT))
      return fail(method, 400, `limit must be an integer from 1 to ${ALTCRAFT_SIM_MAX_LIMIT}`);
    if (b.ui_tags !== undefined && !(Array.isArray(b.ui_tags) && b.ui_tags.every((t) => typeof t === 'string'))) return fail(method, 400, 'ui_tags must be an array of strings');
    return undefined;
  }

  const needId = (method: string, b: Body): SimReply | number => (Number.isInteger(b.id) && (b.id as number) > 0 ? (b.id as number) : fail(method, 400, 'id is required and must be an integer'));
  const hasTag = (tags: string[], want: unknown) => !Array.isArray(want) || want.length === 0 || want.some((t) => tags.includes(t as string));

  const routes: Record<string, (m: string, b: Body) => SimReply> = {
    'scampaigns/list': (m, b) => {
      const bad = checkPaging(m, b);
      if (bad) return bad;
      if (b.state !== undefined && !STATES.includes(b.state as string)) return fail(m, 400, `state must be one of: ${STATES.join(', ')}`);
      const groups = Array.isArray(b.groups) ? b.groups : [];
      const all = truth.scampaigns.filter(
        (c) => (b.state === undefined || c.state === b.state) && hasTag(c.tags, b.ui_tags) && (groups.length === 0 || c.groups.some((g) => groups.includes(g.name))),
      );
      const p = page(all, b);
      return ok(p.items, { total_count: all.length, ...(p.next !== undefined ? { next_from_id: p.next } : {}) });
    },
    'scampaigns/get': (m, b) => {
      const id = needId(m, b);
      if (typeof id !== 'number') return id;
      const c = truth.scampaigns.find((x) => x.id === id);
      return c ? ok(c) : fail(m, 404, 'Campaign not found');
    },
    'campaigns/list': (m, b) => {
      const bad = checkPaging(m, b);
      if (bad) return bad;
      if (b.type !== undefined && !['broadcast', 'regular', 'trigger'].includes(b.type as string)) return fail(m, 400, 'type must be one of: broadcast, regular, trigger');
      if (b.is_active !== undefined && typeof b.is_active !== 'boolean') return fail(m, 400, 'is_active must be a boolean');
      const all = truth.mailings.filter((x) => (b.type === undefined || x.type === b.type) && (b.is_active === undefined || x.is_active === b.is_active) && hasTag(x.ui_tags, b.ui_tags));
      const items = page(all, b).items.map((x) => {
        if (documented) return pickFields(x, DOCUMENTED_MAILING);
        const { content: _c, is_completed: _i, ...rest } = x;
        return rest;
      });
      return ok(items);
    },
    'campaigns/get': (m, b) => {
      const id = needId(m, b);
      if (typeof id !== 'number') return id;
      const x = truth.mailings.find((r) => r.id === id);
      if (!x) return fail(m, 404, 'Campaign not found');
      if (documented) return ok(pickFields(x, [...DOCUMENTED_MAILING, 'content', ...(x.start_schedule ? ['start_schedule'] : [])]));
      const { status: _s, is_completed: _i, ...rest } = x;
      return ok(rest);
    },
    'campaigns/get_status': (m, b) => {
      const id = needId(m, b);
      if (typeof id !== 'number') return id;
      const x = truth.mailings.find((r) => r.id === id);
      return x ? ok({ is_active: x.is_active, is_completed: x.is_completed, status: x.status }) : fail(m, 404, 'Campaign not found');
    },
    'campaigns/log_v2': (m, b) => {
      const id = needId(m, b);
      if (typeof id !== 'number') return id;
      if (b.limit !== undefined && !(Number.isInteger(b.limit) && (b.limit as number) >= 1 && (b.limit as number) <= ALTCRAFT_SIM_MAX_LIMIT)) return fail(m, 400, 'limit must be an integer from 1 to 1000');
      const x = truth.mailings.find((r) => r.id === id);
      if (!x) return fail(m, 404, 'Campaign not found');
      const lines = [{ level: 'INFO', message: 'Campaign activated', time: x.create_time }];
      if (x.status !== 'Inactive') lines.push({ level: 'INFO', message: 'Campaign started', time: x.update_time });
      if (x.status === 'Completed') lines.push({ level: 'INFO', message: 'Campaign finished', time: x.update_time });
      if (x.status === 'Error') lines.push({ level: 'ERROR', message: 'Sending stopped: sender is not configured', time: x.update_time });
      return ok(lines.slice(0, (b.limit as number | undefined) ?? 100));
    },
    'segments/get_counters': (m, b) => {
      const id = needId(m, b);
      if (typeof id !== 'number') return id;
      for (const field of ['list_id', 'db_id'] as const) {
        if (b[field] === undefined) continue;
        if (dbField !== 'both' && dbField !== field) return fail(m, 400, `Unknown parameter: ${field}`);
        if (!Number.isInteger(b[field])) return fail(m, 400, `${field} must be an integer`);
      }
      const db = b.list_id ?? b.db_id;
      const s = truth.segments.find((x) => x.id === id && (db === undefined || x.list_id === db));
      return s ? ok(s.counters) : fail(m, 404, 'Segment not found');
    },
  };

  function handle(req: SimRequest): SimReply | Promise<SimReply> {
    const m = /^\/api\/v1\.1\/(.+?)\/?$/.exec(req.path);
    const method = m?.[1] ?? '';
    const route = routes[method] ?? writes.routes[method];
    if (!route || disabledRoutes.has(method)) return { status: 404, body: { error: 404, error_text: 'Method not found', data: null } };
    if (req.method !== 'POST') return { status: 405, body: { error: 405, error_text: 'Use POST', data: null } };
    const now = req.at;
    while (recent.length && recent[0]! <= now - 1000) recent.shift();
    if (recent.length >= perSec) return { ...tooMany(), headers: { 'retry-after': '1' } };
    recent.push(now);
    if (req.body === BAD_JSON) return fail(method, 400, 'Incorrect request: body is not valid JSON');
    if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) return fail(method, 400, 'Incorrect request: body must be a JSON object');
    const b = (req.body ?? {}) as Body;
    const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? (typeof b.token === 'string' ? b.token : undefined);
    if (!auth) return fail(method, 401, 'API token required');
    if (auth !== credentials.token) return fail(method, 401, 'Invalid token');
    if (b.format !== undefined && b.format !== 'json') return fail(method, 400, 'format must be "json" here');
    const refused = failRoutes.get(method);
    if (refused) return fail(method, refused, refused === 403 ? 'Access denied: the token has no rights for this method' : 'Internal error');
    return route(method, b);
  }

  const sim = await serveSim(handle, { port: opts.port, rng: prng(seed ^ 0x5eed), rateLimited: tooMany, clock });
  return { ...sim, credentials, campaigns: truth.scampaigns, mailings: truth.mailings, segments: truth.segments, disabledRoutes, failRoutes, writes };
}

function tooMany(): SimReply {
  return { status: 429, body: { error: 429, error_text: 'Too many requests', data: null } };
}
