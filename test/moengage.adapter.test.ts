import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareNewestFirst, type Status } from '../src/domain.js';
import { UnsupportedError, VendorError } from '../src/errors.js';
import { fastClock, type Clock } from '../src/clock.js';
import { virtualClock } from '../src/concurrency.js';
import { HttpClient } from '../src/http.js';
import { startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import type { MoeSimCampaign } from '../src/sandbox/moengage-data.js';
import { serveSim, type RunningSim, type SeenRequest } from '../src/sandbox/sim.js';
import { MOENGAGE_CREATED_LOOKBACK_DAYS, MoEngageAdapter, type MoEngageOptions } from '../src/vendors/moengage.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const WORDS: Record<string, Status> = {
  Active: 'running', Sending: 'running', Scheduled: 'scheduled', Paused: 'paused', Sent: 'completed', Stopped: 'stopped', Archived: 'archived', Draft: 'draft',
};
/** Pacing, windows and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
const sims: RunningSim[] = [];

/** Adapter suites run against the documented-fields-only simulator: the adapter may rely on nothing else. */
async function sim(workspaceId: string, apiKey = `key-${workspaceId}-secret`, clock: Clock = fast): Promise<MoEngageSim> {
  const s = await startMoEngageSim({ seed: 7, now: NOW, credentials: { workspaceId, apiKey }, documentedOnly: true, clock });
  sims.push(s);
  return s;
}
function adapter(s: { url: string; credentials: { workspaceId: string; apiKey: string } }, apiKey = s.credentials.apiKey, more: Partial<MoEngageOptions> = {}, client = http) {
  return new MoEngageAdapter({ account: 'default', workspaceId: s.credentials.workspaceId, apiKey, baseUrl: s.url, now: () => NOW, ...more }, client);
}
const live = (s: MoEngageSim) => s.campaigns.filter((c) => c.status !== 'Archived');
const ids = (list: Array<{ id: string } | MoeSimCampaign>) => list.map((c) => ('id' in c ? c.id : c.campaign_id)).sort();
const searches = (s: RunningSim) => s.requests.filter((r) => r.path.endsWith('/campaigns/search') || r.path.endsWith('/campaigns/meta'));
const bodyOf = (r: SeenRequest) => r.body as { request_id: string; limit: number; page: number; campaign_fields?: Record<string, unknown> };

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await http.close();
});

describe('moengage listing against the simulator', () => {
  let s: MoEngageSim;
  beforeAll(async () => void (s = await sim('WSLIST01')));

  it('lists every campaign across pages of 15, newest first, equal to the truth', async () => {
    const r = await adapter(s).listCampaigns({});
    const truth = live(s);
    expect(truth.length).toBeGreaterThan(140);
    expect(ids(r.campaigns)).toEqual(ids(truth));
    expect(r.requests).toBe(Math.floor(truth.length / 15) + 1);
    expect([...r.campaigns].sort(compareNewestFirst)).toEqual(r.campaigns);
    for (const c of r.campaigns) {
      const t = truth.find((x) => x.campaign_id === c.id)!;
      expect([c.name, c.vendor_status, c.status, c.channel]).toEqual([t.basic_details.name, t.status, WORDS[t.status], t.channel.toLowerCase()]);
      expect(c.created_at).toBe(`${t.created_at.slice(0, 10)}T${t.created_at.slice(11, 16)}:00Z`);
    }
    const pages = searches(s).map(bodyOf);
    expect(pages.map((b) => b.page)).toEqual(Array.from({ length: r.requests! }, (_, i) => i + 1));
  });

  it.each(['running', 'scheduled', 'paused', 'completed', 'stopped', 'archived', 'draft'] as Status[])('filters status %s', async (status) => {
    const before = s.requests.length;
    const r = await adapter(s).listCampaigns({ status });
    const truth = s.campaigns.filter((c) => WORDS[c.status] === status);
    expect(truth.length).toBeGreaterThan(0);
    expect(ids(r.campaigns)).toEqual(ids(truth));
    const sent = s.requests.slice(before).map((q) => bodyOf(q).campaign_fields?.status);
    // Seed 002's own form ("For example, Active"), which the simulator matches exactly, and the OpenAPI's UPPERCASE.
    const word = { scheduled: 'Scheduled', paused: 'Paused', completed: 'Sent', stopped: 'Stopped', archived: 'Archived' }[status as string];
    expect(sent.every((w) => JSON.stringify(w) === JSON.stringify(word ? [word, word.toUpperCase()] : undefined))).toBe(true);
  });

  it('never broke a documented limit: limit <= 15, a fresh request_id each time, at most 10 a second, no 429', () => {
    const all = searches(s);
    expect(all.length).toBeGreaterThan(30);
    for (const r of all) {
      const b = bodyOf(r);
      expect(typeof b.request_id === 'string' && b.request_id.length > 0).toBe(true);
      expect(Number.isInteger(b.limit) && b.limit >= 1 && b.limit <= 15).toBe(true);
      expect(Number.isInteger(b.page) && b.page >= 1).toBe(true);
      expect(r.headers['moe-appkey']).toBe('WSLIST01');
      expect(r.status).toBe(200);
    }
    expect(new Set(all.map((r) => bodyOf(r).request_id)).size).toBe(all.length);
    for (const r of all) expect(all.filter((x) => x.at > r.at - 1000 && x.at <= r.at).length).toBeLessThanOrEqual(10);
  });
});

describe('moengage search pacing, on the vendor\'s clock', () => {
  // At 20x a request's own latency (a few real ms) already spans 100 ms of virtual time and would hide
  // missing pacing; at 4x it is well under the 115 ms pace, so removing the pace fails this test.
  const slow = fastClock(4);
  const client = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: slow });
  afterAll(() => client.close());

  it('sends every page of a listing at least 100 ms after the previous one: never 11 in a second, no 429', async () => {
    const s = await sim('WSPACE01', undefined, slow);
    await adapter(s, undefined, {}, client).listCampaigns({});
    const r = searches(s);
    expect(r.length).toBeGreaterThan(10);
    expect(r.map((q) => q.status)).toEqual(r.map(() => 200));
    const at = r.map((q) => q.at).sort((a, b) => a - b);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(100);
  });
});

describe('moengage filters and result size', () => {
  let s: MoEngageSim;
  beforeAll(async () => void (s = await sim('WSFILTER1')));

  it('lists 40 email campaigns as tiny summaries although MoEngage sends whole HTML bodies', async () => {
    const before = s.requests.length;
    const r = await adapter(s).listCampaigns({ channel: 'email' });
    expect(ids(r.campaigns)).toEqual(ids(live(s).filter((c) => c.channel === 'EMAIL')));
    expect(s.requests.slice(before).every((q) => JSON.stringify(bodyOf(q).campaign_fields?.channels) === '["EMAIL"]')).toBe(true);
    const forty = r.campaigns.slice(0, 40);
    expect(forty).toHaveLength(40);
    const summaryBytes = forty.map((c) => JSON.stringify(c).length);
    const rawBytes = forty.map((c) => JSON.stringify(s.campaigns.find((t) => t.campaign_id === c.id)).length);
    for (const n of summaryBytes) expect(n).toBeLessThan(400);
    for (const n of rawBytes) expect(n).toBeGreaterThan(10_000);
    expect(JSON.stringify(forty)).not.toMatch(/<|html|subject/i);
    console.log(`moengage: 40 email summaries ${summaryBytes.reduce((a, b) => a + b)} bytes; raw payload ${rawBytes.reduce((a, b) => a + b)} bytes`);
  });

  it('filters channels its search cannot name locally, without a channel filter sent', async () => {
    const wa = s.campaigns.filter((c) => c.status !== 'Archived').slice(3, 5);
    for (const c of wa) (c as { channel: string }).channel = 'WHATSAPP';
    const before = s.requests.length;
    const r = await adapter(s).listCampaigns({ channel: 'whatsapp' });
    for (const c of wa) (c as { channel: string }).channel = 'PUSH';
    expect(ids(r.campaigns)).toEqual(ids(wa));
    expect(r.campaigns.every((c) => c.channel === 'whatsapp')).toBe(true);
    const sent = s.requests.slice(before).filter((q) => q.path.endsWith('/campaigns/search'));
    expect(sent.length).toBeGreaterThan(1);
    for (const q of sent) expect((q.body as { campaign_fields?: { channels?: unknown } }).campaign_fields?.channels).toBeUndefined();
  });

  it('matches query text in names and tags locally, never sending name', async () => {
    const before = s.requests.length;
    const r = await adapter(s).listCampaigns({ query: 'PROMO' });
    const truth = live(s).filter((c) => c.basic_details.name.toLowerCase().includes('promo') || c.basic_details.tags.some((t) => t.includes('promo')));
    expect(truth.length).toBeGreaterThan(5);
    expect(ids(r.campaigns)).toEqual(ids(truth));
    expect(s.requests.slice(before).some((q) => bodyOf(q).campaign_fields?.name !== undefined)).toBe(false);
  });

  it('sends created_date bounds in the seed form and applies from/to to scheduled_at ?? created_at', async () => {
    const before = s.requests.length;
    const all = live(s).length;
    const r = await adapter(s).listCampaigns({ from: '2026-06-01', to: '2026-08-31' });
    const day = (c: MoeSimCampaign) => (c.scheduling_details.start_time ?? c.sent_time ?? c.created_at).slice(0, 10);
    const truth = live(s).filter((c) => day(c) >= '2026-06-01' && day(c) <= '2026-08-31' && c.created_at.slice(0, 10) >= '2026-03-03');
    expect(MOENGAGE_CREATED_LOOKBACK_DAYS).toBe(90);
    expect(truth.length).toBeGreaterThan(5);
    expect(ids(r.campaigns)).toEqual(ids(truth));
    const sent = s.requests.slice(before).map((q) => bodyOf(q).campaign_fields?.created_date);
    expect(sent.every((d) => JSON.stringify(d) === JSON.stringify({ from_date: '03-03-2026', to_date: '01-09-2026' }))).toBe(true);
    expect(sent.length).toBeLessThan(Math.ceil(all / 15));
    expect(r.warnings).toEqual([expect.stringMatching(/creation date: campaigns created before 2026-03-03 are not listed/)]);
  });

  it('bounds from/to by the account\'s days, not UTC days', async () => {
    const t = live(s).find((c) => c.scheduling_details.start_time && c.scheduling_details.start_time.slice(11, 13) >= '12')!;
    const utcDay = t.scheduling_details.start_time!.slice(0, 10);
    const next = new Date(Date.parse(`${utcDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const r = await adapter(s, undefined, { timezone: 'Pacific/Kiritimati' }).listCampaigns({ from: next, to: next });
    expect(ids(r.campaigns)).toContain(t.campaign_id);
    const c = r.campaigns.find((x) => x.id === t.campaign_id)!;
    expect(c.scheduled_at).toBe(`${t.scheduling_details.start_time!.slice(0, 16)}:00Z`);
  });
});

describe('moengage get, report and estimate', () => {
  let s: MoEngageSim;
  beforeAll(async () => void (s = await sim('WSGET01')));
  const pick = (f: (c: MoeSimCampaign) => boolean) => s.campaigns.find(f)!;

  it('gets a scheduled email with audit facts, a short excerpt and the meta reach count', async () => {
    const t = pick((c) => c.channel === 'EMAIL' && c.status === 'Scheduled');
    const { campaign } = await adapter(s).getCampaign(t.campaign_id, {});
    expect(campaign.id).toBe(t.campaign_id);
    expect(campaign.delivery).toBe('one_time');
    expect(campaign.audience).toContain(`reachable ≈ ${s.reach.get(t.campaign_id)!.count.toLocaleString('en-US')}`);
    expect(campaign.content!.length).toBeLessThanOrEqual(200);
    expect(campaign.content).not.toMatch(/<|\{%/);
    expect(campaign.control_group).toBe((t.control_group_details as { is_campaign_control_group_enabled: boolean }).is_campaign_control_group_enabled);
    expect(campaign.respects_frequency_caps).toBe(!(t.delivery_controls as { ignore_frequency_capping: boolean }).ignore_frequency_capping);
    expect(campaign.raw).toBeUndefined();
    const last = searches(s).slice(-2).map(bodyOf);
    expect(last.map((b) => [b.limit, b.campaign_fields?.id])).toEqual([[1, t.campaign_id], [1, t.campaign_id]]);
  });

  it('returns raw only on request, with HTML bodies trimmed', async () => {
    const t = pick((c) => c.channel === 'EMAIL' && c.status === 'Archived');
    const { campaign } = await adapter(s).getCampaign(t.campaign_id, { raw: true });
    const raw = JSON.stringify(campaign.raw);
    expect(raw).toContain('chars trimmed]');
    expect(raw.length).toBeLessThan(JSON.stringify(t).length / 3);
    expect(campaign.status).toBe('archived');
  });

  it('says clearly when a campaign does not exist', async () => {
    const err = await adapter(s).getCampaign('nope', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect((err as VendorError).status).toBe(404);
    expect((err as VendorError).message).toBe('campaign nope not found');
  });

  it('reports a sent one-time campaign from the 30 days after its send, control groups excluded', async () => {
    const t = pick((c) => c.status === 'Sent' && c.campaign_delivery_type === 'ONE_TIME' && c.sent_time! < '2026-09-01');
    const r = await adapter(s).getReport(t.campaign_id);
    const truth = s.stats.get(t.campaign_id)!.totals;
    expect(r.available).toBe(true);
    expect(r.metrics).toEqual({ sent: truth.sent, opened: truth.opened, clicked: truth.clicked, failed: truth.failed });
    expect(r.period!.from).toBe(t.sent_time!.slice(0, 10));
    expect((Date.parse(r.period!.to) - Date.parse(r.period!.from)) / 86_400_000).toBe(29);
    const stats = s.requests.filter((q) => q.path.endsWith('/campaign-stats')).at(-1)!;
    expect(stats.body).toMatchObject({ campaign_ids: [t.campaign_id], attribution_type: 'VIEW_THROUGH', metric_type: 'TOTAL', start_date: r.period!.from });
  });

  it('reports a running recurring campaign over the 30 days ending today', async () => {
    const t = pick((c) => c.status === 'Active' && s.stats.has(c.campaign_id));
    const r = await adapter(s).getReport(t.campaign_id);
    expect(r.available).toBe(true);
    expect(r.period).toEqual({ from: '2026-10-22', to: '2026-11-20' });
    expect(r.metrics!.sent).toBe(s.stats.get(t.campaign_id)!.totals.sent);
  });

  it('has no numbers for scheduled or never-sent campaigns', async () => {
    const before = s.requests.filter((q) => q.path.endsWith('/campaign-stats')).length;
    const sched = await adapter(s).getReport(pick((c) => c.status === 'Scheduled').campaign_id);
    expect(sched).toMatchObject({ available: false, message: expect.stringMatching(/Scheduled/) });
    expect(s.requests.filter((q) => q.path.endsWith('/campaign-stats')).length).toBe(before);
    const stopped = await adapter(s).getReport(pick((c) => c.status === 'Stopped' && !c.sent_time).campaign_id);
    expect(stopped).toMatchObject({ available: false, message: expect.stringMatching(/no stats/) });
  });

  it('explains there is no reach estimate and what to use instead', async () => {
    const err = await adapter(s).estimateReach().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/reachability_details/);
  });
});

describe('moengage failures', () => {
  let s: MoEngageSim;
  beforeAll(async () => void (s = await sim('WSFAIL01', 'fail-secret-key-98765')));
  const first = () => s.campaigns[0]!.campaign_id;

  it('wrong credentials => 401 with a hint and no secret', async () => {
    const err = (await adapter(s, 'wrong-secret-key-12345').getCampaign(first(), {}).catch((e: unknown) => e)) as VendorError;
    expect(err).toBeInstanceOf(VendorError);
    expect(err.status).toBe(401);
    expect(err.hint).toMatch(/MOENGAGE_API_KEY/);
    const text = JSON.stringify({ m: err.message, h: err.hint, c: err.code });
    expect(text).not.toMatch(/wrong-secret-key-12345|fail-secret-key-98765/);
    expect(text).not.toContain(Buffer.from('WSFAIL01:wrong-secret-key-12345').toString('base64'));
  });

  it('retries a 5xx HTML page for reads, then succeeds', async () => {
    s.faults.htmlErrors = 1;
    const { campaign } = await adapter(s).getCampaign(first(), {});
    expect(campaign.id).toBe(first());
    expect(s.requests.slice(-2).map((r) => r.status)).toEqual([502, 200]);
  });

  it('turns a persistent HTML page and malformed JSON into clear errors', async () => {
    s.faults.htmlErrors = 10;
    const html = (await adapter(s).listCampaigns({}).catch((e: unknown) => e)) as VendorError;
    s.faults.htmlErrors = 0;
    expect(html).toBeInstanceOf(VendorError);
    expect([html.status, html.message]).toEqual([502, 'MoEngage answered with an HTML page instead of JSON']);
    s.faults.malformed = 1;
    const bad = (await adapter(s).getCampaign(first(), {}).catch((e: unknown) => e)) as VendorError;
    expect(bad).toBeInstanceOf(VendorError);
    expect(bad.message).toBe('MoEngage answered with malformed JSON');
  });

  it('honours Retry-After on a 429 burst', async () => {
    s.faults.burst429 = 2;
    s.faults.retryAfterSec = 1;
    const started = fast.now();
    await adapter(s).getCampaign(first(), {});
    expect(fast.now() - started).toBeGreaterThanOrEqual(1900);
    const tail = s.requests.slice(-3);
    expect(tail.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(tail[1]!.at - tail[0]!.at).toBeGreaterThanOrEqual(950);
  });
});

describe('moengage lenient parsing of other shapes', () => {
  let reply: { status: number; body?: unknown } = { status: 200, body: [] };
  let fake: RunningSim;
  beforeAll(async () => {
    fake = await serveSim(() => reply);
    sims.push(fake);
  });
  const a = () => adapter({ url: fake.url, credentials: { workspaceId: 'WSFAKE01', apiKey: 'fake-key-000' } });

  it('accepts the v5 {data:{campaigns}} shape with UPPERCASE statuses', async () => {
    reply = { status: 200, body: { response_id: 'r', type: 'campaign', data: { campaigns: [{ id: 'v5a', campaign_id: 'v5a', status: 'ACTIVE', channel: 'PUSH', basic_details: { name: 'V5' } }] } } };
    const r = await a().listCampaigns({});
    expect(r.campaigns).toEqual([{ vendor: 'moengage', account: 'default', id: 'v5a', name: 'V5', status: 'running', vendor_status: 'ACTIVE', channel: 'push' }]);
  });

  it('classifies an error inside a 200 as its status: a "500" envelope is retried like a 500, then a 500', async () => {
    const seen = fake.requests.length;
    reply = { status: 200, body: { error: { code: '500 Internal Server Error', message: 'Something went wrong. Please contact Moengage team' } } };
    const err = (await a().listCampaigns({}).catch((e: unknown) => e)) as VendorError;
    expect(err).toBeInstanceOf(VendorError);
    expect([err.status, err.message]).toEqual([500, 'Something went wrong. Please contact Moengage team']);
    expect(fake.requests.length - seen).toBe(4);
  });

  it('stops paging at its budget and says so, instead of reading the whole workspace', async () => {
    let n = 0;
    reply = { status: 200, get body() { return Array.from({ length: 15 }, () => ({ campaign_id: `c${n++}`, status: 'Sent', channel: 'PUSH', basic_details: { name: 'x' } })); } } as typeof reply;
    const seen = fake.requests.length;
    const r = await adapter({ url: fake.url, credentials: { workspaceId: 'WSFAKE01', apiKey: 'fake-key-000' } }, undefined, { listBudget: { maxPages: 3 } }).listCampaigns({});
    expect([fake.requests.length - seen, r.campaigns.length]).toEqual([3, 45]);
    expect(r.warnings).toEqual([expect.stringMatching(/stopped at the 3-page limit \(45 campaigns read\); older campaigns may be missing/)]);
    let t = 0;
    const timed = await adapter({ url: fake.url, credentials: { workspaceId: 'WSFAKE01', apiKey: 'fake-key-000' } }, undefined, { clock: () => (t += 10_000) }).listCampaigns({});
    expect(timed.warnings).toEqual([expect.stringMatching(/time limit after 2 pages/)]);
  });

  it('turns a 200 fail envelope and an unexpected shape into VendorErrors', async () => {
    reply = { status: 200, body: { status: 'fail', error: { message: 'Invalid filter', type: 'ValidationError' } } };
    await expect(a().listCampaigns({})).rejects.toThrow(/Invalid filter/);
    reply = { status: 200, body: { campaigns: 'none' } };
    await expect(a().listCampaigns({})).rejects.toThrow(/without a list of campaigns/);
  });
});

describe('moengage simulator strictness', () => {
  let s: MoEngageSim;
  /** Raw requests, no client pacing: a clock that stands still until slept, so a burst lands in one instant. */
  const still = virtualClock();
  beforeAll(async () => void (s = await sim('WSSTRICT1', undefined, still)));
  const auth = (ws = 'WSSTRICT1', key = 'key-WSSTRICT1-secret', appkey = ws) => ({
    authorization: `Basic ${Buffer.from(`${ws}:${key}`).toString('base64')}`, 'moe-appkey': appkey, 'content-type': 'application/json',
  });
  const post = async (path: string, body: unknown, headers = auth()) => {
    const res = await fetch(`${s.url}/core-services/v1/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };
  const ok = { request_id: 'r1', page: 1, limit: 15 };

  it('rejects bad auth, a missing request_id and limits over 15 with the v1 envelope', async () => {
    expect((await post('campaigns/search', ok, auth('WSSTRICT1', 'nope'))).body!.error.code).toBe('401 Authentication error');
    expect((await post('campaigns/search', ok, auth('WSSTRICT1', 'key-WSSTRICT1-secret', 'OTHER'))).status).toBe(401);
    const noId = await post('campaigns/search', { page: 1, limit: 5 });
    expect([noId.status, noId.body!.error.message, noId.body!.error.target]).toEqual([400, 'request_id key is mandatory field', 'request_id']);
    expect((await post('campaigns/search', { ...ok, limit: 16 })).body!.error.target).toBe('limit');
    expect((await post('campaigns/search', { request_id: 'r', limit: 5 })).body!.error.target).toBe('page');
    expect((await post('campaigns/search', { ...ok, campaign_fields: { channels: ['WHATSAPP'] } })).status).toBe(400);
  });

  it('filters status by the seed\'s literal word ("Active"); UPPERCASE is an empty success', async () => {
    const active = s.campaigns.filter((c) => c.status === 'Active').map((c) => c.campaign_id);
    const seed = await post('campaigns/search', { ...ok, campaign_fields: { status: ['Active'] } });
    expect(seed.status).toBe(200);
    expect((seed.body as unknown as MoeSimCampaign[]).map((c) => c.campaign_id)).toEqual(expect.arrayContaining(active.slice(0, 1)));
    expect((seed.body as unknown as MoeSimCampaign[]).every((c) => c.status === 'Active')).toBe(true);
    const upper = await post('campaigns/search', { ...ok, campaign_fields: { status: ['ACTIVE'] } });
    expect([upper.status, upper.body]).toEqual([200, []]);
  });

  it('accepts the three created_date formats and sends rate-limit headers', async () => {
    await still.sleep(1000);
    for (const [from_date, to_date] of [['01-01-2026', '31-03-2026'], ['2026-01-01', '2026-03-31'], ['2026-01-01T00:00:00', '2026-03-31T00:00:00']]) {
      const r = await post('campaigns/search', { ...ok, campaign_fields: { created_date: { from_date, to_date } } });
      expect(r.status).toBe(200);
      expect((r.body as unknown as MoeSimCampaign[]).every((c) => c.created_at >= '2026-01-01' && c.created_at < '2026-04-01')).toBe(true);
      expect(r.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    }
    expect((await post('campaigns/search', { ...ok, campaign_fields: { created_date: { from_date: '2026/01/01' } } })).status).toBe(400);
  });

  it('answers more than 10 searches a second with the v1 429 and Retry-After', async () => {
    await still.sleep(1000);
    const replies = await Promise.all(Array.from({ length: 14 }, (_, i) => post('campaigns/meta', { ...ok, request_id: `b${i}`, limit: 1 })));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(limited[0]!.body).toEqual({ error: { code: '429 conflict', message: 'rate_limit' } });
    expect(limited[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited[0]!.headers.get('x-ratelimit-limit')).toBe('100, 100;w=60');
  });

  it('checks campaign-stats spans, ids and its own error shape; status changes answer an empty 200', async () => {
    const base = { request_id: 's1', start_date: '2026-10-01', end_date: '2026-10-30', attribution_type: 'VIEW_THROUGH', metric_type: 'TOTAL' };
    expect((await post('campaign-stats', base)).status).toBe(200);
    const long = await post('campaign-stats', { ...base, end_date: '2026-11-01' });
    expect([long.status, long.body!.title, long.body!.code]).toEqual([400, 'Bad Request', 400]);
    expect((await post('campaign-stats', { ...base, campaign_ids: Array.from({ length: 11 }, (_, i) => `c${i}`) })).status).toBe(400);
    await still.sleep(1000);
    const paused = s.campaigns.find((c) => c.status === 'Paused')!;
    const resumed = await post('campaigns/status', { request_id: 'x1', action: 'RESUME', campaign_ids: [paused.campaign_id] });
    expect([resumed.status, resumed.body, paused.status]).toEqual([200, undefined, 'Active']);
    expect((await post('campaigns/status', { request_id: 'x2', action: 'STOP', campaign_ids: [paused.campaign_id] })).status).toBe(400);
  });
});
