import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { serveSim, type SimReply } from '../src/sandbox/sim.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import type { CtCampaign } from '../src/sandbox/clevertap-data.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';

const NOW = new Date('2026-11-20T20:00:00Z'); // already 2026-11-21 in Asia/Kolkata
const DAY = 86_400_000;
let sim: CleverTapSim;
let http: HttpClient;
const make = (over: Partial<ConstructorParameters<typeof CleverTapAdapter>[0]> = {}) =>
  new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url, now: () => NOW, ...over }, http);
const on = (d: Date) => Number(d.toISOString().slice(0, 16).replace(/[-T:]/g, ''));
const since = (n: number, path: string) => sim.requests.slice(n).filter((r) => r.path === path);

/** A campaign created long before it is scheduled: its epoch id is far from its scheduled day. */
function plant(id: number, scheduled: Date, name: string): CtCampaign {
  const c: CtCampaign = {
    id, name, scheduled_on: on(scheduled), status: 'scheduled', channel: 'email', delivery: 'one_time', labels: ['planted'],
    respect_frequency_caps: true, control_group: null, content: { subject: 's', body: 'b' }, stats: { sent: 0, viewed: 0, clicked: 0, converted: 0 },
  };
  sim.campaigns.push(c);
  return c;
}

beforeAll(async () => {
  const fast = fastClock(20);
  sim = await startCleverTapSim({ seed: 11, now: NOW, documentedOnly: true, clock: fast });
  http = new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, clock: fast });
});
afterAll(async () => {
  await sim.close();
  await http.close();
});

describe('issue 9 on CleverTap, against the documented-fields-only simulator', () => {
  it('joins report rows on name and start time only: every channel right, nothing unmatched', async () => {
    const res = await make().listCampaigns({ from: '2026-08-01', to: '2026-11-20' });
    const truth = sim.campaigns.filter((c) => c.scheduled_on >= 202608010000 && c.scheduled_on < 202611210000);
    expect(res.campaigns).toHaveLength(truth.length);
    const expected: Record<string, string> = { push: 'push', email: 'email', sms: 'sms', browser: 'webpush', inapp: 'inapp', webhooks: 'webhook', whatsapp: 'whatsapp', app_inbox: 'inbox', web_pop_up: 'inapp', web_native_display: 'other' };
    for (const c of res.campaigns) expect(c.channel, c.name).toBe(expected[truth.find((t) => String(t.id) === c.id)!.channel]);
    expect(res.warnings).toBeUndefined();
  });

  it('says how many campaigns no report row matched, and never guesses', async () => {
    const fake = await serveSim((req): SimReply => req.path === '/1/targets/list.json'
      ? { status: 200, body: { status: 'success', targets: [{ id: 1763600000, name: 'Sale', scheduled_on: 202611201000, status: 'completed' }, { id: 1763600100, name: 'Sale', scheduled_on: 202611201500, status: 'completed' }, { id: 1763600200, name: 'Other', scheduled_on: 202611201200, status: 'running' }] } }
      : { status: 200, body: { status: 'success', messages: [{ message_name: 'Sale', channel: 'push', start_date: 202611201000, labels: ['a'] }, { message_name: 'Sale', channel: 'sms', start_date: 202611201500 }, { message_name: 'Renamed', channel: 'email', start_date: 202611201200 }] } });
    try {
      const res = await make({ baseUrl: fake.url }).listCampaigns({ from: '2026-11-20', to: '2026-11-20' });
      expect(Object.fromEntries(res.campaigns.map((c) => [c.id, c.channel]))).toEqual({ 1763600000: 'push', 1763600100: 'sms', 1763600200: 'other' });
      expect(res.warnings).toEqual(['1 of 3 campaigns matched no message/report.json row by name and start time: channel "other", no tags']);
    } finally {
      await fake.close();
    }
  });

  it('report.json down: names and statuses still answer, warnings say what is unknown, a channel filter is an error', async () => {
    sim.reportFailStatus = 403;
    try {
      const ct = make();
      const all = await ct.listCampaigns({});
      expect(all.campaigns.length).toBeGreaterThan(10);
      expect(all.campaigns.every((c) => c.channel === 'other' && !c.tags)).toBe(true);
      expect(all.warnings).toEqual(['channels and labels unknown: message/report.json failed (HTTP 403: Message reports are not available for this account); campaigns show channel "other" and no tags']);
      const word = all.campaigns[0]!.name.split(' ')[0]!;
      const found = await ct.listCampaigns({ query: word.toUpperCase() });
      expect(found.campaigns.map((c) => c.id).sort()).toEqual(all.campaigns.filter((c) => c.name.toLowerCase().includes(word.toLowerCase())).map((c) => c.id).sort());
      expect(found.warnings?.[0]).toMatch(/the search matched names only$/);
      const running = await ct.listCampaigns({ status: 'running' });
      expect(running.campaigns.map((c) => c.id).sort()).toEqual(all.campaigns.filter((c) => c.status === 'running').map((c) => c.id).sort());
      await expect(ct.listCampaigns({ channel: 'push' })).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/^cannot filter by channel: list.json has no channel and message\/report.json failed/) });
    } finally {
      sim.reportFailStatus = 0;
    }
  });

  it('a listed campaign can always be fetched: from what the listing saw, else by widening from its creation day', async () => {
    const early = plant(Math.floor((NOW.getTime() - 300 * DAY) / 1000), new Date(NOW.getTime() - 95 * DAY), 'Planned far ahead');
    const future = plant(Math.floor((NOW.getTime() - DAY) / 1000), new Date(NOW.getTime() + 120 * DAY), 'Next season');
    const ct = make();
    const listed = await ct.listCampaigns({ from: '2026-08-01', to: '2027-03-31' });
    for (const c of [early, future]) expect(listed.campaigns.map((x) => x.id)).toContain(String(c.id));
    const n = sim.requests.length;
    const got = await ct.getCampaign(String(early.id), {});
    expect(got.campaign).toMatchObject({ id: String(early.id), channel: 'email', tags: ['planted'] });
    expect(since(n, '/1/targets/list.json')).toHaveLength(1);
    expect((await ct.getCampaign(String(future.id), {})).range).toEqual({ from: '2027-03-20', to: '2027-03-20' });
    const fresh = make();
    const widened = await fresh.getCampaign(String(early.id), {});
    expect(widened.campaign.id).toBe(String(early.id));
    expect(widened.range).toEqual({ from: '2026-01-23', to: '2026-08-27' }); // 7 windows of 31 days from the day before creation
    expect((await fresh.getCampaign(String(future.id), {})).campaign.name).toBe('Next season');
  });

  it('bounds the search: an absurd range is refused before any request, years past 9999 do not wrap', async () => {
    const n = sim.requests.length;
    await expect(make().getCampaign('1763600000', { from: '0001-01-01', to: '9999-12-31' })).rejects.toThrow(InputError);
    expect(sim.requests.length).toBe(n);
    const err = (await make().getCampaign(String(Math.floor(NOW.getTime() / 1000) - 3600), {}).catch((e: unknown) => e)) as VendorError;
    expect(err).toBeInstanceOf(VendorError);
    expect(err.message).toMatch(/^campaign \d+ not found between 2025-11-12 and 2027-11-21 \(24 list.json requests\)$/);
    const far = await make({ now: () => new Date('9999-12-20T00:00:00Z') }).listCampaigns({ from: '9999-12-20' }).catch((e: unknown) => e);
    expect(far).not.toBeInstanceOf(TypeError);
    expect(since(n, '/1/targets/list.json').at(-1)!.body).toEqual({ from: 99991220, to: 99991231 });
  });

  it('times are instants: scheduled_on is read in the account zone and windows are its days', async () => {
    const ct = make({ timezone: 'Asia/Kolkata' });
    const n = sim.requests.length;
    const res = await ct.listCampaigns({});
    expect(res.range).toEqual({ from: '2026-10-23', to: '2026-12-21' });
    expect(since(n, '/1/targets/list.json')[0]!.body).toEqual({ from: 20261023, to: 20261122 });
    const c = res.campaigns[0]!;
    const t = sim.campaigns.find((x) => String(x.id) === c.id)!;
    const s = String(t.scheduled_on);
    expect(c.scheduled_at).toBe(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:00+05:30`);
    const ms = res.campaigns.map((x) => Date.parse(x.scheduled_at!));
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
  });

  it('an error inside a 200 is classified like its status: a 500 is retried and reported as 500, never as 200', async () => {
    const fake = await serveSim(() => ({ status: 200, body: { status: 'fail', error: 'Internal server error', code: 500 } }));
    try {
      const err = (await make({ baseUrl: fake.url }).listCampaigns({ from: '2026-11-20', to: '2026-11-20' }).catch((e: unknown) => e)) as VendorError;
      expect(err).toMatchObject({ status: 500, message: 'Internal server error', code: 500 });
      expect(fake.requests.filter((r) => r.path === '/1/targets/list.json')).toHaveLength(4);
    } finally {
      await fake.close();
    }
  });
});
