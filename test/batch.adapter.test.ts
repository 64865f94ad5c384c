import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../src/domain.js';
import { InputError, UnsupportedError, VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { virtualClock } from '../src/concurrency.js';
import { HttpClient } from '../src/http.js';
import { BATCH_SANDBOX_CREDENTIALS, startBatchSim, type BatchSim } from '../src/sandbox/batch.js';
import { serveSim, type RunningSim } from '../src/sandbox/sim.js';
import { BATCH_LIST_PAGE_SIZE, BatchAdapter, type BatchOptions } from '../src/vendors/batch.js';

let sim: BatchSim;
let http: HttpClient;
const errors: unknown[] = [];
const adapter = (o: Partial<BatchOptions> = {}) => new BatchAdapter({ account: 'main', ...sim.credentials, baseUrl: sim.url, ...o }, http);
async function failure(p: Promise<unknown>): Promise<VendorError> {
  try {
    await p;
  } catch (err) {
    errors.push(err);
    if (err instanceof VendorError) return err;
    throw err;
  }
  throw new Error('expected a VendorError');
}
const listRequests = () => sim.requests.filter((r) => r.path.endsWith('/campaigns/list'));

/** Pacing, windows and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);

beforeAll(async () => {
  // The adapter suite runs against the documented-fields-only simulator (seed 003 keys for the list).
  sim = await startBatchSim({ seed: 7, rateLimit: { max: 1000, windowMs: 1000 }, documentedOnly: true, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
});
afterAll(async () => {
  await sim.close();
  await http.close();
});

describe('batch adapter: listing', () => {
  it('lists every seeded campaign across pages of 100, with the intended statuses and channels', async () => {
    expect(sim.campaigns.length).toBeGreaterThanOrEqual(150);
    const before = sim.requests.length;
    const res = await adapter().listCampaigns({});
    expect(res.requests).toBe(Math.ceil(sim.campaigns.length / BATCH_LIST_PAGE_SIZE));
    const got = new Map(res.campaigns.map((c) => [c.id, `${c.status}/${c.channel}`]));
    const truth = new Map(sim.campaigns.map((c) => [c.record.campaign_token, `${c.expected.status}/${c.expected.channel}`]));
    expect(got).toEqual(truth);
    const keys = res.campaigns.map((c) => c.scheduled_at ?? c.created_at ?? '');
    expect(keys).toEqual([...keys].sort().reverse());
    expect(sim.requests.slice(before).map((r) => r.query)).toEqual([
      { from: '0', limit: '100' }, { from: '100', limit: '100' },
    ]);
    const statuses = new Set(res.campaigns.map((c) => c.status));
    expect([...statuses].sort()).toEqual(['completed', 'draft', 'running', 'scheduled', 'stopped']);
  });

  it.each(['draft', 'scheduled', 'running', 'stopped', 'completed'] as Status[])('filters status %s exactly, using live where it helps', async (status) => {
    const before = sim.requests.length;
    const res = await adapter().listCampaigns({ status });
    const want = sim.campaigns.filter((c) => c.expected.status === status).map((c) => c.record.campaign_token).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(res.campaigns.map((c) => c.id).sort()).toEqual(want);
    const live = status === 'draft' || status === 'stopped' ? 'false' : 'true';
    for (const r of sim.requests.slice(before)) expect(r.query.live).toBe(live);
  });

  it('answers statuses and channels Batch never has without a request', async () => {
    const before = sim.requests.length;
    expect((await adapter().listCampaigns({ status: 'paused' })).campaigns).toEqual([]);
    expect((await adapter().listCampaigns({ channel: 'email' })).campaigns).toEqual([]);
    expect(sim.requests.length).toBe(before);
  });

  it('filters channel locally, reading the in-app landing the full simulator adds', async () => {
    const full = await startBatchSim({ seed: 7, rateLimit: false, clock: fast });
    try {
      const a = new BatchAdapter({ account: 'main', ...full.credentials, baseUrl: full.url }, http);
      const inapp = await a.listCampaigns({ channel: 'inapp' });
      const want = full.campaigns.filter((c) => c.expected.channel === 'inapp').map((c) => c.record.campaign_token).sort();
      expect(want.length).toBeGreaterThan(1);
      expect(inapp.campaigns.map((c) => c.id).sort()).toEqual(want);
    } finally {
      await full.close();
    }
  });

  it('reads push_time and created_date as UTC in any account zone, and bounds from/to by the account zone\'s days', async () => {
    const paris = await adapter({ timezone: 'Europe/Paris' }).listCampaigns({});
    for (const c of paris.campaigns) {
      const r = sim.campaigns.find((x) => x.record.campaign_token === c.id)!.record;
      expect(Date.parse(c.created_at!)).toBe(Math.floor(Date.parse(`${r.created_date}Z`) / 60_000) * 60_000);
      if (r.push_time) expect(Date.parse(c.scheduled_at!)).toBe(Math.floor(Date.parse(`${r.push_time}Z`) / 60_000) * 60_000);
      for (const t of [c.created_at, c.scheduled_at]) if (t) expect(t).toMatch(/T\d{2}:\d{2}:\d{2}Z$/);
    }
    // 23:xx UTC is the next day in Tokyo and the same day in New York.
    const late = sim.campaigns.map((c) => c.record).find((r) => r.push_time && r.push_time.slice(11, 13) >= '23')!;
    const utcDay = late.push_time!.slice(0, 10);
    const next = new Date(Date.parse(`${utcDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const ids = async (timezone: string | undefined, day: string) => (await adapter(timezone ? { timezone } : {}).listCampaigns({ from: day, to: day })).campaigns.map((c) => c.id);
    expect(await ids('Asia/Tokyo', next)).toContain(late.campaign_token);
    expect(await ids('Asia/Tokyo', utcDay)).not.toContain(late.campaign_token);
    expect(await ids('America/New_York', utcDay)).toContain(late.campaign_token);
    expect(await ids(undefined, utcDay)).toContain(late.campaign_token);
    expect(await ids(undefined, next)).not.toContain(late.campaign_token);
  });

  it('stops at its page budget and says so', async () => {
    const r = await adapter({ listBudget: { maxPages: 1 } }).listCampaigns({});
    expect([r.requests, r.campaigns.length]).toEqual([1, 100]);
    expect(r.warnings).toEqual([expect.stringMatching(/stopped at the 1-page limit \(100 campaigns read\); older campaigns may be missing/)]);
  });

  it('filters text and dates locally', async () => {
    const text = await adapter().listCampaigns({ query: 'LAUNCH' });
    expect(text.campaigns.length).toBeGreaterThanOrEqual(2);
    for (const c of text.campaigns) expect(c.name.toLowerCase()).toContain('launch');
    const all = (await adapter().listCampaigns({})).campaigns;
    const day = (all[40]!.scheduled_at ?? all[40]!.created_at)!.slice(0, 10);
    const ranged = await adapter().listCampaigns({ from: day, to: day });
    expect(ranged.campaigns.map((c) => c.id)).toEqual(all.filter((c) => (c.scheduled_at ?? c.created_at)!.startsWith(day)).map((c) => c.id));
  });
});

describe('batch adapter: one campaign', () => {
  it('returns the detail and trimmed raw record', async () => {
    const seed = sim.campaigns.find((c) => c.record.recurrence?.end_date && c.record.targeting && c.expected.status === 'running')!;
    const { campaign } = await adapter().getCampaign(seed.record.campaign_token, { raw: true });
    expect(campaign.id).toBe(seed.record.campaign_token);
    expect(campaign.status).toBe('running');
    expect(campaign.delivery).toBe('recurring');
    expect(campaign.schedule?.end).toBe(`${seed.record.recurrence!.end_date!.slice(0, 16)}:00Z`);
    expect(campaign.content).toContain(seed.record.messages![0]!.title);
    expect(campaign.respects_frequency_caps).toBe(seed.record.capping !== undefined);
    expect(campaign.audience).not.toBe('');
    expect((campaign.raw as { campaign_token: string }).campaign_token).toBe(seed.record.campaign_token);
    const plain = await adapter().getCampaign(seed.record.campaign_token, {});
    expect(plain.campaign.raw).toBeUndefined();
  });

  it('says an unknown token is not found, and refuses a path-breaking id before any request', async () => {
    const err = await failure(adapter().getCampaign('ffffffffffffffffffffffffffffffff', {}));
    expect(err.status).toBe(404);
    expect(err.message).toBe('campaign ffffffffffffffffffffffffffffffff not found');
    const before = sim.requests.length;
    await expect(adapter().getCampaign('../list', {})).rejects.toBeInstanceOf(InputError);
    expect(sim.requests.length).toBe(before);
  });

  it('sums the stats into a report, and says when there are none', async () => {
    const seed = sim.campaigns.find((c) => c.stats.length >= 2)!;
    const report = await adapter().getReport(seed.record.campaign_token);
    const sum = (k: 'sent' | 'direct_open' | 'influenced_open' | 'errors') => seed.stats.reduce((n, r) => n + r[k], 0);
    expect(report.available).toBe(true);
    expect(report.metrics).toEqual({ sent: sum('sent'), opened: sum('direct_open') + sum('influenced_open'), failed: sum('errors') });
    expect(report.period).toEqual({ from: seed.stats[0]!.date, to: seed.stats.at(-1)!.date });
    const empty = await adapter().getReport(sim.campaigns.find((c) => c.expected.status === 'draft')!.record.campaign_token);
    expect(empty.available).toBe(false);
    expect(empty.message).toMatch(/no statistics/);
  });

  it('explains that stats and details need the Live key', async () => {
    const token = sim.campaigns[0]!.record.campaign_token;
    const dev = adapter({ apiKey: sim.devApiKey });
    const err = await failure(dev.getReport(token));
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/Live API keys only/);
    expect((await failure(dev.getCampaign(token, {}))).message).toMatch(/details accept Live API keys only/);
  });

  it('has no reach estimate and says what to use instead', async () => {
    await expect(adapter().estimateReach()).rejects.toThrow(UnsupportedError);
    await expect(adapter().estimateReach()).rejects.toThrow(/audiences\/view endpoint gives nb_ids/);
  });
});

describe('batch adapter: failures', () => {
  it('rejects wrong credentials with 401 and a hint, never the secret', async () => {
    for (const o of [{ restApiKey: 'wrong-rest-key-123' }, { apiKey: 'WRONGAPPKEY0000001' }]) {
      const err = await failure(adapter(o).listCampaigns({}));
      expect(err.status).toBe(401);
      expect(err.code).toBe(10);
      expect(err.hint).toBe('Check BATCH_API_KEY (the Live app API key) and BATCH_REST_API_KEY.');
      for (const s of Object.values(o)) expect(err.message).not.toContain(s);
    }
  });

  it('scrubs the app key from a vendor message that echoes the path', async () => {
    const err = await failure(adapter({ baseUrl: `${sim.url}/proxy` }).listCampaigns({}));
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/^ROUTE_NOT_FOUND: Route not found: GET \/proxy\/1\.1\/\[redacted\]\/campaigns\/list/);
  });

  it('retries a 5xx read and then succeeds', async () => {
    sim.faults.htmlErrors = 2;
    const before = sim.requests.length;
    const res = await adapter().listCampaigns({ status: 'stopped' });
    expect(res.campaigns.length).toBeGreaterThan(0);
    expect(sim.requests.slice(before).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('turns an HTML page, malformed JSON and a 500 into clear errors', async () => {
    sim.faults.htmlErrors = 10;
    const html = await failure(adapter().listCampaigns({}));
    sim.faults.htmlErrors = 0;
    expect(html.status).toBe(502);
    expect(html.message).toBe('HTTP 502 (an HTML page instead of JSON)');
    sim.faults.malformed = 1;
    expect((await failure(adapter().listCampaigns({}))).message).toBe('Batch answered the campaign list request with malformed JSON');
    sim.faults.down = 503;
    const down = await failure(adapter().getReport(sim.campaigns[0]!.record.campaign_token));
    sim.faults.down = undefined;
    expect(down.message).toBe('MAINTENANCE_ERROR: service unavailable');
    expect(down.hint).toMatch(/maintenance/);
  });

  it('classifies a 200 error body as its documented status, and an unexpected shape as an error', async () => {
    const odd: RunningSim = await serveSim((req) =>
      req.path.includes('/stats/') ? { status: 200, body: { error_code: 12, error_message: 'API misuse' } }
        : req.path.endsWith('/boom') ? { status: 200, body: { error_code: 0, error_message: 'Internal error' } } : { status: 200, body: { campaigns: [] } });
    try {
      const a = new BatchAdapter({ account: 'main', ...BATCH_SANDBOX_CREDENTIALS, baseUrl: odd.url }, http);
      const env = await failure(a.getReport('abc'));
      expect([env.status, env.code, env.message]).toEqual([403, 12, 'Batch refused (API_MISUSE): campaign stats accept Live API keys only']);
      const before = odd.requests.length;
      const boom = await failure(a.getCampaign('boom', {}));
      expect([boom.status, boom.code, odd.requests.length - before]).toEqual([500, 0, 4]);
      expect((await failure(a.listCampaigns({}))).message).toBe('Batch answered the campaign list request with an unexpected object');
    } finally {
      await odd.close();
    }
  });

  it('waits at least 5 s after a 429, whatever Retry-After says', async () => {
    sim.faults.burst429 = 1;
    sim.faults.retryAfterSec = 1;
    const before = sim.requests.length;
    await adapter().listCampaigns({ status: 'draft' });
    const seen = sim.requests.slice(before);
    expect(seen[0]!.status).toBe(429);
    expect(seen[1]!.status).toBe(200);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(5000);
  }, 20_000);

  it('never broke the page-size limit nor leaked the app key', () => {
    for (const r of listRequests()) {
      expect(Number(r.query.limit)).toBeLessThanOrEqual(100);
      expect(Number(r.query.from)).toBeGreaterThanOrEqual(0);
    }
    expect(errors.length).toBeGreaterThanOrEqual(10);
    for (const e of errors) {
      const text = `${(e as Error).message} ${(e as VendorError).hint ?? ''}`;
      expect(text).not.toContain(sim.credentials.apiKey);
      expect(text).not.toContain(sim.credentials.restApiKey);
    }
  });
});

describe('batch simulator strictness', () => {
  const call = async (s: BatchSim, path: string, init: { method?: string; key?: string; rest?: string; body?: unknown } = {}) => {
    const res = await fetch(`${s.url}/1.1/${init.key ?? s.credentials.apiKey}/${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-authorization': init.rest ?? s.credentials.restApiKey, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
  };

  it.each(['limit=101', 'limit=0', 'limit=abc', 'from=-1', 'from=1.5', 'live=yes', 'from_api=1'])('rejects %s with 400 code 31', async (q) => {
    const r = await call(sim, `campaigns/list?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe(31);
  });

  it('answers auth, route and method errors with the documented codes', async () => {
    expect((await call(sim, 'campaigns/list', { rest: 'nope-nope' })).body).toMatchObject({ error_code: 10 });
    expect((await call(sim, 'campaigns/list', { key: 'OTHERKEY' })).status).toBe(401);
    expect((await call(sim, 'campaigns/nothing/here')).body).toMatchObject({ error_code: 20 });
    expect((await call(sim, 'campaigns/list', { method: 'POST', body: {} })).status).toBe(404);
    const live = await call(sim, 'campaigns/list?live=false&limit=100');
    expect((live.body as unknown as Array<{ live: boolean }>).every((c) => c.live === false)).toBe(true);
  });

  it('rate limits per key with 429 code 60 and Retry-After: 5', async () => {
    const limited = await startBatchSim({ seed: 1, count: 5, rateLimit: { max: 3, windowMs: 60_000 }, clock: virtualClock() }); // time stands still: all four in one window
    try {
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push(await call(limited, 'campaigns/list'));
      expect(seen.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(seen[3]!.body.error_code).toBe(60);
      expect(seen[3]!.retryAfter).toBe('5');
    } finally {
      await limited.close();
    }
  });

  it('creates campaigns and transactional sends with 201, validating bodies', async () => {
    const created = await call(sim, 'campaigns/create', { method: 'POST', body: { name: 'API test', live: false, messages: [{ language: 'en', body: 'Hi' }] } });
    expect(created.status).toBe(201);
    expect(typeof created.body.campaign_token).toBe('string');
    expect((await call(sim, 'campaigns/create', { method: 'POST', body: { name: 'API test' } })).body.error_code).toBe(30);
    const ids = Array.from({ length: 10_001 }, (_, i) => `u${i}`);
    const tooMany = await call(sim, 'transactional/send', { method: 'POST', body: { group_id: 'g1', recipients: { custom_ids: ids }, message: { body: 'x' } } });
    expect(tooMany.body.error_code).toBe(31);
    const sent = await call(sim, 'transactional/send', { method: 'POST', body: { group_id: 'g1', recipients: { custom_ids: ['u1'] }, message: { body: 'x' } } });
    expect(sent.status).toBe(201);
    expect(typeof sent.body.token).toBe('string');
    sim.campaigns.pop();
  });
});
