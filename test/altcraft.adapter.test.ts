import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUSES, type Status } from '../src/domain.js';
import { InputError, UnsupportedError, VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { virtualClock } from '../src/concurrency.js';
import { HttpClient } from '../src/http.js';
import { ALTCRAFT_SANDBOX_CREDENTIALS, startAltcraftSim, type AltcraftSim } from '../src/sandbox/altcraft.js';
import type { SimMailing, SimScampaign } from '../src/sandbox/altcraft-data.js';
import { ALTCRAFT_PAGE_SIZE, AltcraftAdapter } from '../src/vendors/altcraft.js';

/** Pacing, rate limits and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);

const NOW = new Date('2026-11-22T12:00:00Z');
const WRONG = 'wrong-altcraft-token-9999';
let sim: AltcraftSim;
let http: HttpClient;
let adapter: AltcraftAdapter;
const make = (s: AltcraftSim, token = s.credentials.token, client = http) => new AltcraftAdapter({ account: 'default', token, baseUrl: s.url, now: () => NOW }, client);
const since = (s: AltcraftSim) => { const n = s.requests.length; return () => s.requests.slice(n); };
const body = (r: { body: unknown }) => r.body as Record<string, unknown>;

function expectedContainer(c: SimScampaign): Status {
  const table: Record<string, Status> = { cloning: 'unknown', waiting: 'scheduled', active: 'running', completed: 'completed', deleted: 'archived' };
  return c.state === 'inactive' ? (c.active_period.history.start ? 'paused' : 'draft') : table[c.state]!;
}
function expectedMailing(m: SimMailing): Status {
  if (m.status === 'Active') return m.type === 'broadcast' && new Date(m.start_schedule!.start_time) > NOW ? 'scheduled' : 'running';
  return ({ Sending: 'running', Inactive: 'draft', Completed: 'completed', Error: 'failed' } as const)[m.status];
}

beforeAll(async () => {
  sim = await startAltcraftSim({ now: NOW, rateLimitPerSec: 1000, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
  adapter = make(sim);
});
afterAll(async () => {
  await sim.close();
  await http.close();
});

describe('AltcraftAdapter listing', () => {
  it('lists every campaign and mailing across pages, equal to the truth', async () => {
    const seen = since(sim);
    const { campaigns, requests } = await adapter.listCampaigns({});
    const truth = new Map<string, Status>([
      ...sim.campaigns.map((c) => [`campaign-${c.id}`, expectedContainer(c)] as const),
      ...sim.mailings.map((m) => [`mailing-${m.id}`, expectedMailing(m)] as const),
    ]);
    expect(sim.campaigns.length).toBeGreaterThanOrEqual(60);
    expect(sim.mailings.length).toBeGreaterThanOrEqual(120);
    expect(new Map(campaigns.map((c) => [c.id, c.status]))).toEqual(truth);
    expect(campaigns).toHaveLength(truth.size);
    const reqs = seen();
    expect(requests).toBe(reqs.length);
    const froms = (path: string) => reqs.filter((r) => r.path === path).map((r) => body(r).from_id);
    const cIds = sim.campaigns.map((c) => c.id).sort((a, b) => a - b);
    const mIds = sim.mailings.map((m) => m.id).sort((a, b) => a - b);
    expect(froms('/api/v1.1/scampaigns/list')).toEqual([1, cIds[100]]);
    expect(froms('/api/v1.1/campaigns/list')).toEqual([1, mIds[99]! + 1, mIds[199]! + 1]);
    const sorted = [...campaigns].sort((a, b) => ((b.scheduled_at ?? b.created_at)! < (a.scheduled_at ?? a.created_at)! ? -1 : 1));
    expect(campaigns.map((c) => c.scheduled_at ?? c.created_at)).toEqual(sorted.map((c) => c.scheduled_at ?? c.created_at));
  });

  it('never breaks a documented limit and never puts the token in a body', async () => {
    const seen = since(sim);
    await adapter.listCampaigns({});
    await adapter.getCampaign(`mailing-${sim.mailings[0]!.id}`, {});
    await adapter.getCampaign(`campaign-${sim.campaigns[0]!.id}`, {});
    const reqs = seen();
    expect(reqs.filter((r) => body(r).limit !== undefined).length).toBeGreaterThanOrEqual(5);
    expect(reqs.filter((r) => body(r).from_id !== undefined).length).toBeGreaterThanOrEqual(5);
    for (const r of reqs) {
      expect(r.method).toBe('POST');
      const b = body(r) ?? {};
      if (b.limit !== undefined) expect(b.limit as number).toBeLessThanOrEqual(ALTCRAFT_PAGE_SIZE);
      if (b.from_id !== undefined) expect(Number.isInteger(b.from_id)).toBe(true);
      expect(JSON.stringify(r.body ?? '')).not.toContain(sim.credentials.token);
      expect(r.headers.authorization).toMatch(/^Bearer /);
    }
  });

  it('normalizes summaries: channel, times, tags, vendor word', async () => {
    const { campaigns } = await adapter.listCampaigns({});
    const c0 = sim.campaigns[0]!;
    const c = campaigns.find((x) => x.id === `campaign-${c0.id}`)!;
    expect(c).toMatchObject({ vendor: 'altcraft', account: 'default', name: c0.name, channel: 'other', vendor_status: c0.state });
    expect(c.created_at).toBe(c0.createtime.slice(0, 16) + ':00Z');
    const m0 = sim.mailings.find((m) => m.send_channel === 'telegram')!;
    expect(campaigns.find((x) => x.id === `mailing-${m0.id}`)).toMatchObject({ channel: 'other', vendor_status: m0.status });
    const channels = new Set(campaigns.map((x) => x.channel));
    expect([...channels].sort()).toEqual(['email', 'other', 'push', 'sms']);
    const tagged = sim.mailings.find((m) => m.ui_tags.length)!;
    expect(campaigns.find((x) => x.id === `mailing-${tagged.id}`)!.tags).toEqual(tagged.ui_tags);
  });

  it('filters by every normalized status, pushing the state server-side where one maps', async () => {
    const { campaigns: all } = await adapter.listCampaigns({});
    const present = STATUSES.filter((s) => all.some((c) => c.status === s));
    expect(present.sort()).toEqual(['archived', 'completed', 'draft', 'failed', 'paused', 'running', 'scheduled', 'unknown']);
    for (const status of STATUSES) {
      const seen = since(sim);
      const { campaigns } = await adapter.listCampaigns({ status });
      expect(campaigns.map((c) => c.id).sort()).toEqual(all.filter((c) => c.status === status).map((c) => c.id).sort());
      const states = seen().filter((r) => r.path.endsWith('scampaigns/list')).map((r) => body(r).state);
      const want = { scheduled: 'waiting', running: 'active', completed: 'completed', archived: 'deleted', draft: 'inactive', paused: 'inactive' }[status as string];
      if (status === 'stopped' || status === 'failed') expect(states).toEqual([]);
      else expect(new Set(states)).toEqual(new Set([want]));
    }
  });

  it('filters by channel, text and dates', async () => {
    const { campaigns: all } = await adapter.listCampaigns({});
    const sms = await adapter.listCampaigns({ channel: 'sms' });
    expect(sms.campaigns.length).toBe(all.filter((c) => c.channel === 'sms').length);
    expect(sms.campaigns.length).toBeGreaterThan(0);
    const q = await adapter.listCampaigns({ query: 'PROMO' });
    expect(q.campaigns.length).toBe(all.filter((c) => c.name.toLowerCase().includes('promo') || c.tags?.includes('promo')).length);
    const r = await adapter.listCampaigns({ from: '2026-01-01', to: '2026-03-31' });
    expect(r.campaigns.length).toBeGreaterThan(0);
    for (const c of r.campaigns) expect((c.scheduled_at ?? c.created_at)!.slice(0, 10) >= '2026-01-01' && (c.scheduled_at ?? c.created_at)!.slice(0, 10) <= '2026-03-31').toBe(true);
  });
});

describe('AltcraftAdapter get, report, estimate', () => {
  it('gets a campaign container with audience, control group and schedule', async () => {
    const noCg = sim.campaigns.find((c) => c.audience.lcg.size_formation_settings.percent === '0.00' && c.state === 'waiting')!;
    const { campaign } = await adapter.getCampaign(`campaign-${noCg.id}`, {});
    expect(campaign).toMatchObject({ id: `campaign-${noCg.id}`, status: 'scheduled', control_group: false, audience: `segment ${noCg.audience.seg_id} of database ${noCg.audience.list_id}` });
    expect(campaign.schedule?.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(campaign.raw).toBeUndefined();
    const withCg = sim.campaigns.find((c) => c.audience.lcg.size_formation_settings.percent !== '0.00')!;
    expect((await adapter.getCampaign(`campaign-${withCg.id}`, { raw: true })).campaign).toMatchObject({ control_group: true, raw: { id: withCg.id } });
  });

  it('finds a container through scampaigns/list when scampaigns/get is missing', async () => {
    sim.disabledRoutes.add('scampaigns/get');
    try {
      const c = sim.campaigns[5]!;
      const seen = since(sim);
      expect((await adapter.getCampaign(`campaign-${c.id}`, {})).campaign.name).toBe(c.name);
      expect(seen().map((r) => [r.path, r.status])).toEqual([['/api/v1.1/scampaigns/get', 404], ['/api/v1.1/scampaigns/list', 200]]);
    } finally {
      sim.disabledRoutes.delete('scampaigns/get');
    }
  });

  it('gets a mailing with status from get_status, delivery, content and trimmed raw', async () => {
    const m = sim.mailings.find((x) => x.status === 'Completed' && x.send_channel === 'email')!;
    const { campaign } = await adapter.getCampaign(`mailing-${m.id}`, { raw: true });
    expect(campaign).toMatchObject({ status: 'completed', vendor_status: 'Completed', channel: 'email', delivery: { broadcast: 'one_time', regular: 'recurring', trigger: 'triggered' }[m.type] });
    expect(campaign.content!.length).toBeLessThanOrEqual(200);
    expect(campaign.content).toContain(m.name);
    expect(campaign.content).not.toContain('<');
    expect(JSON.stringify(campaign.raw)).toContain('chars trimmed');
    expect(JSON.stringify(campaign.raw)).not.toContain('<html>');
  });

  it('rejects bare or unknown ids clearly', async () => {
    await expect(adapter.getCampaign('42', {})).rejects.toThrow(InputError);
    await expect(adapter.getCampaign('42', {})).rejects.toThrow(/campaign-<id>.*mailing-<id>/);
    await expect(adapter.getCampaign('mailing-999999', {})).rejects.toMatchObject({ status: 404, message: 'campaign mailing-999999 not found' });
    await expect(adapter.getCampaign('campaign-999999', {})).rejects.toMatchObject({ status: 404, message: 'campaign campaign-999999 not found' });
  });

  it('reports no counters, but the latest mailing log line', async () => {
    const m = sim.mailings.find((x) => x.status === 'Completed')!;
    const rep = await adapter.getReport(`mailing-${m.id}`);
    expect(rep).toMatchObject({ vendor: 'altcraft', id: `mailing-${m.id}`, available: false });
    expect(rep.metrics).toBeUndefined();
    expect(rep.message).toMatch(/no confirmed per-mailing statistics endpoint.*Campaign finished/);
    expect((await adapter.getReport(`campaign-${sim.campaigns[0]!.id}`)).available).toBe(false);
    await expect(adapter.getReport('mailing-999999')).rejects.toMatchObject({ status: 404, message: 'campaign mailing-999999 not found' });
    sim.disabledRoutes.add('campaigns/log_v2');
    try {
      expect((await adapter.getReport(`mailing-${m.id}`)).message).toMatch(/no campaigns\/log_v2 either/);
    } finally {
      sim.disabledRoutes.delete('campaigns/log_v2');
    }
  });

  it('estimates reach from segment counters, with the database id fallback', async () => {
    const seg = sim.segments[2]!;
    const count = (ch: string) => seg.counters.find((c) => c.channel === ch)!.status.subscribed_sendable;
    const est = await adapter.estimateReach('email', { segment_id: String(seg.id) });
    expect(est).toMatchObject({ vendor: 'altcraft', channel: 'email', estimated_reach: count('email'), by_platform: { email: count('email'), sms: count('sms'), push: count('push') } });
    const strict = await startAltcraftSim({ now: NOW, countersDbField: 'db_id', clock: fast });
    try {
      const seen = since(strict);
      const sms = await make(strict).estimateReach('sms', { segment_id: `${seg.list_id}:${seg.id}` });
      expect(sms.estimated_reach).toBe(count('sms'));
      expect(seen().map((r) => Object.keys(body(r)).sort())).toEqual([['id', 'list_id'], ['db_id', 'id']]);
    } finally {
      await strict.close();
    }
    await expect(adapter.estimateReach('push', { event: { name: 'Added To Cart' } })).rejects.toThrow(UnsupportedError);
    await expect(adapter.estimateReach('push', { all_users: true })).rejects.toThrow(/only for a named segment/);
    await expect(adapter.estimateReach('push', { segment_id: 'vip' })).rejects.toThrow(InputError);
  });
});

describe('AltcraftAdapter errors', () => {
  it('turns a refused token into a 401 VendorError on both paths (HTTP 200 envelope and HTTP 401), without the token', async () => {
    const bad = make(sim, WRONG);
    for (const id of [`campaign-${sim.campaigns[0]!.id}`, `mailing-${sim.mailings[0]!.id}`]) {
      const seen = since(sim);
      const err = await bad.getCampaign(id, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect(err).toMatchObject({ status: 401, code: 401, message: 'Invalid token' });
      const text = `${(err as VendorError).message} ${(err as VendorError).hint}`;
      expect(text).toContain('ALTCRAFT_API_TOKEN');
      expect(text).not.toContain(WRONG);
      expect(text).not.toContain(ALTCRAFT_SANDBOX_CREDENTIALS.token);
      expect(seen()[0]!.status).toBe(id.startsWith('campaign') ? 200 : 401);
    }
    await expect(bad.listCampaigns({})).rejects.toMatchObject({ status: 401 });
  });

  it('treats an error envelope with HTTP 200 as a failure, not an empty list', async () => {
    const noToken = new AltcraftAdapter({ account: 'x', token: '', baseUrl: sim.url }, http);
    const seen = since(sim);
    await expect(noToken.getCampaign(`campaign-${sim.campaigns[0]!.id}`, {})).rejects.toMatchObject({ status: 401, message: 'API token required' });
    await expect(noToken.estimateReach('email', { segment_id: String(sim.segments[0]!.id) })).rejects.toMatchObject({ status: 401, code: 401 });
    // Requests are paced, so one of the previous test's may still land here: count this adapter's only.
    expect(seen().filter((r) => String(r.headers.authorization).trim() === 'Bearer').map((r) => r.status)).toEqual([200, 200]);
    await expect(noToken.listCampaigns({ channel: 'other' })).rejects.toMatchObject({ status: 401, message: 'API token required' });
  });

  it('retries a 5xx for reads and honours Retry-After on a 429', async () => {
    sim.faults.htmlErrors = 2;
    const seen = since(sim);
    expect((await adapter.getCampaign(`mailing-${sim.mailings[1]!.id}`, {})).campaign.name).toBe(sim.mailings[1]!.name);
    expect(seen().filter((r) => r.status === 502)).toHaveLength(2);
    sim.faults.burst429 = 1;
    sim.faults.retryAfterSec = 1;
    const seen2 = since(sim);
    await adapter.getReport(`mailing-${sim.mailings[2]!.id}`);
    const [first, second] = seen2();
    expect(first!.status).toBe(429);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('says clearly when the answer is malformed JSON or an HTML page', async () => {
    sim.faults.malformed = 1;
    await expect(adapter.getReport(`mailing-${sim.mailings[3]!.id}`)).rejects.toThrow(/malformed JSON/);
    sim.faults.htmlErrors = 10;
    await expect(adapter.getReport(`mailing-${sim.mailings[3]!.id}`)).rejects.toMatchObject({ status: 502, message: expect.stringMatching(/HTML page/) });
    sim.faults.htmlErrors = 0;
  });

  it("survives the simulator's own rate limit with a complete listing", async () => {
    // Time moves only when the client waits (pace, Retry-After): its concurrent requests surely meet the 2-a-second limit.
    const still = virtualClock();
    const slow = await startAltcraftSim({ now: NOW, rateLimitPerSec: 2, clock: still });
    const client = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: still });
    try {
      const { campaigns } = await make(slow, undefined, client).listCampaigns({});
      expect(campaigns).toHaveLength(slow.campaigns.length + slow.mailings.length);
      expect(slow.requests.some((r) => r.status === 429)).toBe(true);
    } finally {
      await Promise.all([slow.close(), client.close()]);
    }
  });
});

describe('Altcraft simulator strictness', () => {
  const post = (path: string, b: unknown, auth = true) =>
    fetch(`${sim.url}/api/v1.1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${sim.credentials.token}` } : {}) }, body: JSON.stringify(b) });

  it('enforces limit, integer from_id, state words, POST only, and accepts trailing slashes and a body token', async () => {
    expect(await (await post('scampaigns/list', { limit: 1001 })).json()).toMatchObject({ error: 400 });
    expect(await (await post('scampaigns/list', { from_id: '1' })).json()).toMatchObject({ error: 400 });
    expect(await (await post('scampaigns/list', { state: 'paused' })).json()).toMatchObject({ error: 400 });
    expect((await post('campaigns/list', { limit: 0 })).status).toBe(400);
    expect((await fetch(`${sim.url}/api/v1.1/campaigns/list`)).status).toBe(405);
    const m = sim.mailings[0]!;
    expect(await (await post('campaigns/get_status/', { id: m.id })).json()).toMatchObject({ error: 0, data: { status: m.status } });
    expect(await (await post('scampaigns/list', { token: sim.credentials.token, limit: 2 }, false)).json()).toMatchObject({ error: 0, total_count: sim.campaigns.length, next_from_id: expect.any(Number) });
  });
});
