import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareNewestFirst, type Channel, type Status } from '../src/domain.js';
import { InputError, UnsupportedError, VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { virtualClock } from '../src/concurrency.js';
import { HttpClient } from '../src/http.js';
import { serveSim, type RunningSim, type SeenRequest } from '../src/sandbox/sim.js';
import { CLEVERTAP_SANDBOX_CREDENTIALS, startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import type { CtCampaign } from '../src/sandbox/clevertap-data.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import { addDay, scheduledOnToLocal, spanDays } from '../src/vendors/clevertap-map.js';

const NOW = new Date('2026-11-20T12:00:00Z');
/** Expected values written out from seed 000 / notes 1(b), not computed with the adapter's own tables. */
const STATUS_OF: Record<string, Status> = { scheduled: 'scheduled', pending: 'scheduled', running: 'running', paused: 'paused', stopped: 'stopped', completed: 'completed', awaiting_approval: 'unknown' };
const CHANNEL_OF: Record<string, Channel> = {
  push: 'push', email: 'email', sms: 'sms', browser: 'webpush', inapp: 'inapp', webhooks: 'webhook', whatsapp: 'whatsapp', app_inbox: 'inbox', web_pop_up: 'inapp', web_native_display: 'other',
};
/** scheduled_on (sandbox account on UTC) as the instant it names. */
const stampOf = (on: number) => String(on).replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:00Z');
const TODAY = '2026-11-20';
let sim: CleverTapSim;
let http: HttpClient;
let ct: CleverTapAdapter;

const day = (c: CtCampaign) => scheduledOnToLocal(c.scheduled_on)!.slice(0, 10);
const truthIn = (from: string, to: string) => sim.campaigns.filter((c) => day(c) >= from && day(c) <= to);
const since = (n: number, path: string) => sim.requests.slice(n).filter((r) => r.path === path);
const intDay = (n: unknown) => String(n).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
const adapter = (over: Partial<ConstructorParameters<typeof CleverTapAdapter>[0]> = {}) =>
  new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url, now: () => NOW, ...over }, http);

/** create.json pacing and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);

beforeAll(() => void (http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast })));
afterAll(() => http.close());

/** The whole adapter suite runs twice: against the sandbox's full answers and the documented-fields-only mode. */
describe.each([false, true])('clevertap adapter (documentedOnly: %s)', (documentedOnly) => {
  beforeAll(async () => {
    sim = await startCleverTapSim({ seed: 7, now: NOW, documentedOnly, clock: fast });
    ct = adapter();
  });
  afterAll(() => sim.close());

  describe('clevertap listing', () => {
    it('lists six months through <=31-day windows, never more than 3 in flight, exactly the truth', async () => {
      const n = sim.requests.length;
      sim.maxInFlight = 0;
      sim.processingMs = 40; // held in flight, so the cap of 3 is reached and observed, however busy the machine
      const from = addDay(TODAY, -182);
      const res = await ct.listCampaigns({ from, to: TODAY }).finally(() => (sim.processingMs = 0));
      const truth = truthIn(from, TODAY);
      expect(truth.length).toBeGreaterThan(60);
      expect(res.range).toEqual({ from, to: TODAY });
      expect(res.campaigns.map((c) => c.id).sort()).toEqual(truth.map((c) => String(c.id)).sort());
      expect(res.warnings).toBeUndefined();
      expect([...res.campaigns].sort(compareNewestFirst)).toEqual(res.campaigns);
      const lists = since(n, '/1/targets/list.json');
      expect(lists).toHaveLength(6);
      for (const r of lists) {
        const b = r.body as { from: number; to: number };
        expect(Number.isInteger(b.from) && Number.isInteger(b.to)).toBe(true);
        expect(spanDays(intDay(b.from), intDay(b.to))).toBeLessThanOrEqual(31);
      }
      expect(since(n, '/1/message/report.json')).toHaveLength(6);
      expect(sim.requests.slice(n).every((r) => r.status === 200)).toBe(true);
      expect(sim.maxInFlight).toBe(3);
      for (const c of res.campaigns) {
        const t = truth.find((x) => String(x.id) === c.id)!;
        expect(c).toEqual({
          vendor: 'clevertap', account: 'default', id: String(t.id), name: t.name, status: STATUS_OF[t.status], vendor_status: t.status,
          channel: CHANNEL_OF[t.channel], scheduled_at: stampOf(t.scheduled_on), ...(t.labels.length ? { tags: t.labels } : {}),
        });
      }
    });

    it('defaults to the last 30 days and the next 30 (scheduled campaigns), in 31-day windows', async () => {
      const n = sim.requests.length;
      const res = await ct.listCampaigns({});
      const end = addDay(TODAY, 30);
      expect(res.range).toEqual({ from: '2026-10-22', to: end });
      expect(since(n, '/1/targets/list.json').map((r) => r.body)).toEqual([{ from: 20261022, to: 20261121 }, { from: 20261122, to: 20261220 }]);
      expect(res.campaigns.length).toBe(truthIn('2026-10-22', end).length);
      const scheduled = await ct.listCampaigns({ status: 'scheduled' });
      expect(scheduled.campaigns.length).toBeGreaterThan(0);
      expect(scheduled.campaigns.length).toBe(truthIn('2026-10-22', end).filter((c) => ['scheduled', 'pending'].includes(c.status)).length);
      const future = await ct.listCampaigns({ from: addDay(TODAY, 10) });
      expect(future.range).toEqual({ from: addDay(TODAY, 10), to: addDay(TODAY, 40) });
      await expect(ct.listCampaigns({ from: '2026-11-10', to: '2026-11-01' })).rejects.toThrow(InputError);
    });

    it('filters by every normalized status and channel present, and by text', async () => {
      const from = addDay(TODAY, -540);
      const all = (await ct.listCampaigns({ from, to: addDay(TODAY, 30) })).campaigns;
      expect(all).toHaveLength(sim.campaigns.length);
      const statuses = new Set(all.map((c) => c.status));
      expect(statuses).toEqual(new Set<Status>(['scheduled', 'running', 'paused', 'stopped', 'completed', 'unknown']));
      for (const status of statuses) {
        const got = await ct.listCampaigns({ from, to: addDay(TODAY, 30), status });
        expect(got.campaigns.map((c) => c.id).sort()).toEqual(sim.campaigns.filter((c) => STATUS_OF[c.status] === status).map((c) => String(c.id)).sort());
      }
      const push = await ct.listCampaigns({ from: addDay(TODAY, -182), to: TODAY, channel: 'webpush' });
      expect(push.campaigns.map((c) => c.id).sort()).toEqual(truthIn(addDay(TODAY, -182), TODAY).filter((c) => c.channel === 'browser').map((c) => String(c.id)).sort());
      const tagged = await ct.listCampaigns({ from, to: TODAY, query: 'WINBACK' });
      expect(tagged.campaigns.length).toBe(truthIn(from, TODAY).filter((c) => c.labels.includes('winback') || c.name.toLowerCase().includes('winback')).length);
    });

  });

  describe('clevertap get and report', () => {
    it('finds a campaign from the day its epoch id was created, and trims raw', async () => {
      const t = sim.campaigns.find((c) => c.channel === 'email' && day(c) < addDay(TODAY, -300))!;
      const idDay = addDay(new Date(t.id * 1000).toISOString().slice(0, 10), -1);
      const n = sim.requests.length;
      const { campaign, range } = await adapter().getCampaign(String(t.id), { raw: true });
      expect(range!.from).toBe(idDay);
      expect(campaign).toMatchObject({ id: String(t.id), name: t.name, channel: 'email', delivery: t.delivery });
      if (documentedOnly) {
        // report.json documents no content, caps or control group (notes 1(b)): none is invented.
        for (const k of ['content', 'respects_frequency_caps', 'control_group']) expect(campaign).not.toHaveProperty(k);
        expect(campaign.raw).toMatchObject({ target: { id: t.id }, message: { message_name: t.name, start_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00$/) } });
      } else {
        expect(campaign).toMatchObject({ respects_frequency_caps: t.respect_frequency_caps, control_group: t.control_group !== null });
        expect(campaign.content!.length).toBeLessThanOrEqual(200);
        expect(campaign.content).not.toMatch(/<|>/);
        expect(JSON.stringify(campaign.raw)).toMatch(/chars trimmed/);
      }
      const lists = since(n, '/1/targets/list.json').map((r) => r.body as { from: number; to: number });
      expect(lists[0]!.from).toBe(Number(idDay.replaceAll('-', '')));
      expect(lists.length).toBeLessThanOrEqual(2); // scheduled within days of creation
      expect(since(n, '/1/message/report.json')).toHaveLength(1);
    });

    it('finds an upcoming campaign the listing shows, and says how far it looked when not found', async () => {
      const upcoming = sim.campaigns.find((c) => day(c) > addDay(TODAY, 3))!;
      expect((await ct.getCampaign(String(upcoming.id), {})).campaign.id).toBe(String(upcoming.id));
      const err = await ct.getCampaign('12345', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect((err as VendorError).message).toBe(`campaign 12345 not found between ${addDay(TODAY, -179)} and ${addDay(TODAY, 30)} (7 list.json requests)`);
      expect((err as VendorError).hint).toMatch(/from\/to/);
      const old = sim.campaigns.find((c) => day(c) < addDay(TODAY, -300))!;
      const found = await ct.getCampaign(String(old.id), { from: addDay(day(old), -3), to: addDay(day(old), 3) });
      expect(found.campaign.id).toBe(String(old.id));
      await expect(ct.getCampaign('abc', {})).rejects.toThrow(InputError);
    });

    it('reports a completed campaign and says when one is not completed', async () => {
      const done = sim.campaigns.find((c) => c.status === 'completed')!;
      const rep = await ct.getReport(String(done.id));
      expect(rep).toEqual({ vendor: 'clevertap', account: 'default', id: String(done.id), available: true, metrics: { sent: done.stats.sent, opened: done.stats.viewed, clicked: done.stats.clicked, converted: done.stats.converted } });
      const running = sim.campaigns.find((c) => c.status === 'running')!;
      expect(await ct.getReport(String(running.id))).toMatchObject({ available: false, message: `Campaign ${running.id} is running; CleverTap reports numbers once it has completed.` });
      await expect(ct.getReport('12x')).rejects.toThrow(InputError);
      await expect(ct.getReport('1000000001')).rejects.toMatchObject({ status: 404, message: 'campaign 1000000001 not found' });
    });
  });

  describe('clevertap estimate', () => {
    it('estimates with estimate_only, the mapped where, sums platforms, creates nothing, paced 1/s', async () => {
      const count = sim.campaigns.length;
      const n = sim.requests.length;
      const audience = { event: { name: 'Added To Cart' }, profile: [{ field: 'Customer Type', op: 'equals' as const, value: 'Platinum' }] };
      const a = await ct.estimateReach('push', audience);
      const b = await ct.estimateReach('webpush', { segment_id: '1042' });
      const creates = since(n, '/1/targets/create.json');
      expect(creates).toHaveLength(2);
      const body = creates[0]!.body as Record<string, unknown>;
      // Written out, not rebuilt with the mapping under test: the last 30 days ending today (20 Nov), as ints (seed 001).
      expect(body).toMatchObject({
        estimate_only: true, target_mode: 'push', when: 'now',
        where: { event_name: 'Added To Cart', from: 20261022, to: 20261120, common_profile_properties: { profile_fields: [{ name: 'Customer Type', operator: 'equals', value: 'Platinum' }] } },
      });
      expect(creates[1]!.body).toMatchObject({ estimate_only: true, target_mode: 'webpush', segment: 1042 });
      expect(Object.keys(a.by_platform!).sort()).toEqual(['android', 'ios']);
      expect(a.estimated_reach).toBe(a.by_platform!.android! + a.by_platform!.ios!);
      expect(a.estimated_reach).toBeGreaterThan(0);
      expect(b).toMatchObject({ channel: 'webpush', estimated_reach: b.by_platform!.web });
      expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(950);
      expect(creates.every((r) => r.status === 200)).toBe(true);
      expect(sim.campaigns).toHaveLength(count);
      await expect(ct.estimateReach('inapp', { all_users: true })).rejects.toThrow(UnsupportedError);
    });
  });

  describe('clevertap errors', () => {
    it('wrong credentials => 401 with a hint and no secret; the windows still queued are not sent', async () => {
      const bad = adapter({ passcode: 'not-the-passcode-xyz' });
      const n = sim.requests.length;
      // A year: 12 list windows and 12 report windows, three at a time; once the first 401 is back the rest stay unsent.
      const err = (await bad.listCampaigns({ from: '2025-12-01', to: '2026-11-30' }).catch((e: unknown) => e)) as VendorError;
      await new Promise((r) => setTimeout(r, 50));
      expect(sim.requests.length - n).toBeLessThanOrEqual(6);
      expect(err).toBeInstanceOf(VendorError);
      expect(err.status).toBe(401);
      expect(err.message).toBe('Invalid Credentials');
      expect(err.hint).toMatch(/CLEVERTAP_PASSCODE/);
      expect(`${err.message} ${err.hint}`).not.toContain('not-the-passcode-xyz');
      expect(`${err.message} ${err.hint}`).not.toContain(CLEVERTAP_SANDBOX_CREDENTIALS.passcode);
    });

    it('retries a 5xx HTML page then succeeds; persistent HTML and malformed JSON are clear errors', async () => {
      sim.faults.htmlErrors = 1;
      expect((await ct.getReport(String(sim.campaigns.find((c) => c.status === 'completed')!.id))).available).toBe(true);
      sim.faults.htmlErrors = 10;
      await expect(ct.getReport('1000000001')).rejects.toThrow(/HTML page/);
      sim.faults.htmlErrors = 0;
      // Both of the window's requests (list and report go out together, in no set order): the list's is the error.
      sim.faults.malformed = 2;
      await expect(ct.listCampaigns({ from: TODAY, to: TODAY })).rejects.toThrow(/malformed JSON/);
      sim.faults.malformed = 0;
    });

    it('honours Retry-After on a 429', async () => {
      sim.faults.burst429 = 1;
      sim.faults.retryAfterSec = 1;
      const n = sim.requests.length;
      await ct.getReport(String(sim.campaigns.find((c) => c.status === 'completed')!.id));
      const seen = (sim.requests.slice(n) as SeenRequest[]).filter((r) => r.path === '/1/targets/result.json');
      expect(seen.map((r) => r.status)).toEqual([429, 200]);
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    });

    it('treats a 200 with status fail as an error', async () => {
      const fake: RunningSim = await serveSim(() => ({ status: 200, body: { status: 'fail', error: 'Something broke', code: 89 } }));
      try {
        await expect(adapter({ baseUrl: fake.url }).listCampaigns({})).rejects.toMatchObject({ message: 'Something broke', code: 89 });
      } finally {
        await fake.close();
      }
    });
  });
});

describe('clevertap simulator strictness', () => {
  let s: CleverTapSim;
  beforeAll(async () => {
    // Raw requests, no client pacing: a clock that stands still, so the second create surely lands within the same second.
    s = await startCleverTapSim({ seed: 3, now: NOW, credentials: { passcode: 'other-pass' }, createPerSecond: 1, clock: virtualClock() });
  });
  afterAll(() => s.close());
  const call = async (path: string, body: unknown, init: { method?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${s.url}${path}`, {
      method: init.method ?? 'POST',
      headers: { 'X-CleverTap-Account-Id': s.credentials.accountId, 'X-CleverTap-Passcode': s.credentials.passcode, 'Content-Type': 'application/json', ...init.headers },
      ...(init.method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
  };

  it('enforces auth, method and list.json date rules', async () => {
    expect(s.credentials).toEqual({ accountId: 'SANDBOX-CT-0001', passcode: 'other-pass' });
    expect(await call('/1/targets/list.json', { from: 20261101, to: 20261101 }, { headers: { 'X-CleverTap-Passcode': 'nope' } }))
      .toMatchObject({ status: 401, body: { status: 'fail', error: 'Invalid Credentials', code: 401 } });
    expect((await call('/1/targets/list.json', undefined, { method: 'GET' })).status).toBe(405);
    expect((await call('/1/targets/list.json', { from: 20261001, to: 20261031 })).body).toMatchObject({ status: 'success' });
    expect(await call('/1/targets/list.json', { from: 20261001, to: 20261101 })).toMatchObject({ status: 400, body: { error: 'Invalid date range' } });
    expect(await call('/1/targets/list.json', { from: 20261105, to: 20261101 })).toMatchObject({ status: 400, body: { error: 'Invalid date range' } });
    expect(await call('/1/targets/list.json', { from: '20261101', to: 20261101 })).toMatchObject({ status: 400, body: { error: 'Invalid "from" date (it must be of the format YYYYMMDD)' } });
    expect(await call('/1/targets/list.json', { from: 20261101, to: 20260231 })).toMatchObject({ status: 400, body: { error: 'Invalid "to" date (it must be of the format YYYYMMDD)' } });
    expect((await call('/1/message/report.json', { from: '20261101', to: 20261110, channel: 'push,email' })).body.status).toBe('success');
  });

  it('refuses a 4th concurrent request', async () => {
    s.processingMs = 150;
    s.maxInFlight = 0;
    try {
      const res = await Promise.all(Array.from({ length: 4 }, () => call('/1/targets/list.json', { from: 20261101, to: 20261101 })));
      expect(res.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
      expect(res.find((r) => r.status === 429)!.body).toMatchObject({ error: 'Too many concurrent requests' });
      expect(s.maxInFlight).toBe(4);
    } finally {
      s.processingMs = 0;
    }
  });

  it('rate-limits create.json, records real creates and reports only completed campaigns', async () => {
    const body = { name: 'x', target_mode: 'sms', where: {}, when: 'now', content: { body: 'hi' } };
    const count = s.campaigns.length;
    const first = await call('/1/targets/create.json', body);
    expect(first).toMatchObject({ status: 200, body: { status: 'success' } });
    expect(typeof first.body.id).toBe('number');
    expect(s.campaigns).toHaveLength(count + 1);
    expect(await call('/1/targets/create.json', { ...body, estimate_only: true })).toMatchObject({ status: 429, retryAfter: '1', body: { error: 'Rate limit exceeded' } });
    const running = s.campaigns.find((c) => c.status === 'running')!;
    expect(await call('/1/targets/result.json', { id: running.id })).toMatchObject({ status: 409, body: { error: 'Campaign is running' } });
    expect(await call('/1/targets/stop.json', { id: running.id })).toMatchObject({ status: 200, body: { status: 'success' } });
    expect(await call('/1/targets/stop.json', { id: running.id })).toMatchObject({ status: 200, body: { status: 'success' } });
    expect(running.status).toBe('stopped');
  });

  it('validates /1/send/*.json with the documented codes', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
    expect(await call('/1/send/push.json', { to: { Identity: ids(600), Email: ids(400) }, content: { title: 't', body: 'x' } }))
      .toEqual({ status: 200, body: { status: 'success', message: 'Added to queue for processing' }, retryAfter: null });
    expect((await call('/1/send/push.json', { to: { Identity: ids(600), GPID: ids(401) } })).body.code).toBe(84);
    expect((await call('/1/send/sms.json', { content: { body: 'x' } })).body.code).toBe(21);
    expect((await call('/1/send/email.json', { to: { Email: ['a@b.c'] }, respect_frequency_caps: 'no' })).body.code).toBe(73);
    expect((await call('/1/send/webpush.json', '{"to":')).body.code).toBe(78);
    expect(s.sends).toEqual([{ channel: 'push', recipients: 1000 }]);
  });
});
