import { BATCH_GET_KEYS, BATCH_LIST_KEYS, batchTime, seedBatchCampaigns, type BatchSeedCampaign, type BatchSimRecord } from './batch-data.js';
import { batchWrites, type BatchWrites } from './batch-writes.js';
import { realClock, type Clock } from '../clock.js';
import { BAD_JSON, prng, serveSim, type RunningSim, type SimReply, type SimRequest } from './sim.js';

/** Credentials the simulator accepts; same names as BatchOptions. */
export interface BatchSimCredentials {
  apiKey: string;
  restApiKey: string;
}

/** Default sandbox credentials (--sandbox and tests). */
export const BATCH_SANDBOX_CREDENTIALS: BatchSimCredentials = { apiKey: 'SANDBOXBATCHAPPKEY01', restApiKey: 'sandbox-batch-rest-key' };
/** A Dev app key: lists work, campaign details and stats answer 403 API_MISUSE (notes §3: Live keys only). */
export const BATCH_SANDBOX_DEV_KEY = 'SANDBOXBATCHDEVKEY01';
/** MEP rate limits are undocumented [U]: a placeholder of 10 requests a second per app key. */
export const BATCH_SIM_DEFAULT_RATE = { max: 10, windowMs: 1000 };
/** Transactional recipients.custom_ids cap (notes §3f: 10,000 is [U]). */
export const BATCH_SIM_MAX_CUSTOM_IDS = 10_000;

/** Seed, clock, port, credentials and the placeholder rate limit of a simulator. */
export interface BatchSimOptions {
  seed?: number;
  now?: Date;
  port?: number;
  credentials?: Partial<BatchSimCredentials>;
  devApiKey?: string;
  /** Requests allowed per window per app key; false turns the limiter off. */
  rateLimit?: { max: number; windowMs: number } | false;
  count?: number;
  /** Answer only documented keys (seed 003 for the list, notes §3b for one campaign): no labels, no in-app landing. */
  documentedOnly?: boolean;
  /** The clock of its rate window (a test's fast clock; default wall time). */
  clock?: Clock;
}

/** A running MEP simulator with its seeded truth. */
export interface BatchSim extends RunningSim {
  credentials: BatchSimCredentials;
  devApiKey: string;
  campaigns: BatchSeedCampaign[];
  /** The write endpoints' records and fault knobs (batch-writes.ts). */
  writes: BatchWrites;
}

const ROUTES_WITHOUT_TOKEN = new Set(['list', 'create', 'stats', 'update', 'delete']);
/** Full mode: the list leaves out what only campaigns/{token} shows. */
const GET_ONLY = new Set(['messages', 'targeting']);

/** The error body: documented codes, key names a placeholder [U] (notes §3). */
function fail(status: number, code: number, message: string, headers?: Record<string, string>): SimReply {
  return { status, body: { error_code: code, error_message: message }, ...(headers ? { headers } : {}) };
}

const tooMany = (): SimReply => fail(429, 60, 'Too many requests: wait at least 5 seconds before retrying', { 'retry-after': '5' });
const bool = (v: string | null) => v === null || v === 'true' || v === 'false';
const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Start a strict loopback Batch MEP 1.1 simulator. */
export async function startBatchSim(opts: BatchSimOptions = {}): Promise<BatchSim> {
  const rng = prng(opts.seed ?? 3);
  const now = opts.now ?? new Date();
  const credentials = { ...BATCH_SANDBOX_CREDENTIALS, ...opts.credentials };
  const devApiKey = opts.devApiKey ?? BATCH_SANDBOX_DEV_KEY;
  const campaigns = seedBatchCampaigns(rng, now, opts.count ?? 180);
  const keep = (r: BatchSimRecord, keys: readonly string[]) => Object.fromEntries(Object.entries(r).filter(([k]) => keys.includes(k)));
  const listed = (r: BatchSimRecord) => (opts.documentedOnly ? keep(r, BATCH_LIST_KEYS) : Object.fromEntries(Object.entries(r).filter(([k]) => !GET_ONLY.has(k))));
  const shown = (r: BatchSimRecord) => (opts.documentedOnly ? keep(r, BATCH_GET_KEYS) : r);
  // What the documented fields can tell: without a landing every campaign reads as push.
  if (opts.documentedOnly) for (const c of campaigns) c.expected.channel = 'push';
  const writes = batchWrites(campaigns, opts.clock);
  const rate = opts.rateLimit === undefined ? BATCH_SIM_DEFAULT_RATE : opts.rateLimit;
  const hits = new Map<string, number[]>();
  const clock = opts.clock ?? realClock;
  let counter = 0;

  const limited = (key: string, t: number): boolean => {
    if (!rate) return false;
    const recent = (hits.get(key) ?? []).filter((x) => t - x < rate.windowMs);
    const over = recent.length >= rate.max;
    if (!over) recent.push(t);
    hits.set(key, recent);
    return over;
  };

  const sorted = () =>
    [...campaigns].sort((a, b) =>
      a.record.created_date === b.record.created_date
        ? (a.record.campaign_token < b.record.campaign_token ? -1 : 1)
        : a.record.created_date < b.record.created_date ? 1 : -1);
  const find = (token: string) => campaigns.find((c) => c.record.campaign_token === token);

  function list(q: URLSearchParams): SimReply {
    const from = q.get('from') ?? '0';
    const limit = q.get('limit') ?? '10';
    if (!/^\d+$/.test(from)) return fail(400, 31, 'Malformed parameter: from must be a non-negative integer');
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) return fail(400, 31, 'Malformed parameter: limit must be an integer between 1 and 100');
    if (!bool(q.get('live'))) return fail(400, 31, 'Malformed parameter: live must be true or false');
    if (!bool(q.get('from_api'))) return fail(400, 31, 'Malformed parameter: from_api must be true or false');
    const live = q.get('live');
    const api = q.get('from_api');
    const rows = sorted()
      .map((c) => c.record)
      .filter((r) => (live === null || String(r.live) === live) && (api === null || String(r.from_api) === api))
      .slice(Number(from), Number(from) + Number(limit))
      .map(listed);
    return { status: 200, body: rows };
  }

  function stats(token: string): SimReply {
    const c = find(token);
    if (!c) return fail(404, 20, `Campaign not found: ${token}`);
    return { status: 200, body: { campaign_token: token, detail: c.stats, ...(c.versions ? { versions: c.versions } : {}) } };
  }

  function handle(req: SimRequest): SimReply | Promise<SimReply> {
    const m = /^\/1\.1\/([^/]+)\/(.+?)\/?$/.exec(req.path);
    const notFound = () => fail(404, 20, `Route not found: ${req.method} ${req.path}`);
    if (!m) return notFound();
    const key = decodeURIComponent(m[1]!);
    const route = m[2]!;
    const dev = key === devApiKey;
    if (header(req.headers['x-authorization']) !== credentials.restApiKey || (key !== credentials.apiKey && !dev)) {
      return fail(401, 10, 'Authentication invalid: check the API key in the URL and the X-Authorization header');
    }
    if (limited(key, req.at)) return tooMany();
    const written = writes.handle(req, route, dev);
    if (written) return written;
    const [a, b, c, extra] = route.split('/');
    if (a === 'campaigns' && b === 'list' && !c && req.method === 'GET') return list(req.query);
    if (a === 'campaigns' && b === 'stats' && c && !extra && req.method === 'GET') return dev ? fail(403, 12, 'API misuse: campaign stats need a Live API key') : stats(decodeURIComponent(c));
    if (a === 'campaigns' && b && !c && !ROUTES_WITHOUT_TOKEN.has(b) && req.method === 'GET') {
      if (dev) return fail(403, 12, 'API misuse: campaign details need a Live API key');
      const found = find(decodeURIComponent(b));
      return found ? { status: 200, body: shown(found.record) } : notFound();
    }
    return notFound();
  }

  const sim = await serveSim(handle, { rng, rateLimited: tooMany, clock, ...(opts.port !== undefined ? { port: opts.port } : {}) });
  sim.faults.retryAfterSec = 5;
  return Object.assign(sim, { credentials, devApiKey, campaigns, writes });
}
