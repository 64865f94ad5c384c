import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, UnsupportedError, VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import type { CleverTapWriter } from '../src/vendors/clevertap-writer.js';
import type { CreateInput, SendInput, WriteOp } from '../src/vendors/vendor.js';

let sim: CleverTapSim;
let http: HttpClient;
let writer: CleverTapWriter;
const clock = () => new Date();
/** create.json pacing runs 20x faster on one clock shared by the client and the simulator; the sim records virtual times. */
const fast = fastClock(20);
const ids = (n: number, p = 'u') => Array.from({ length: n }, (_, i) => `${p}${i}`);
const make = (over: Partial<ConstructorParameters<typeof CleverTapAdapter>[0]> = {}, client = http) =>
  new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url, ...over }, client).writer;
const push: SendInput = { channel: 'push', id_type: 'identity', content: { title: 'Hi', body: 'Your cart misses you' } };
const sendOp = (n: number, input: SendInput = push): WriteOp => ({ kind: 'send', input, recipients: { count: n, duplicates_removed: 0 } });
const createInput: CreateInput = { name: 'Cart reminder', channel: 'push', audience: { event: { name: 'Added To Cart' } }, content: { title: 'Hi', body: 'Come back', deep_link: 'app://cart' } };
const create: WriteOp = { kind: 'create', input: createInput };

/** Send every batch of `all` through sendPart + execute, as the gate does. */
async function sendAll(w: CleverTapWriter, input: SendInput, all: string[]) {
  const size = w.capabilities.send.batch_size;
  const out = [];
  for (let i = 0; i * size < all.length; i++) {
    const part = w.sendPart(input, all.slice(i * size, (i + 1) * size), i, `k${i}`);
    out.push({ part, outcome: await w.execute(part) });
  }
  return out;
}

beforeAll(async () => {
  sim = await startCleverTapSim({ seed: 11, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
  writer = make();
});
afterAll(async () => {
  await sim.close();
  await http.close();
});

describe('clevertap writer: create', () => {
  it('prepare estimates the exact body and creates nothing; execute creates exactly one, paced, listable', async () => {
    const before = { ...sim.writes.counts, campaigns: sim.campaigns.length };
    const plan = await writer.prepare(create, clock);
    expect(sim.writes.counts.creates).toBe(before.creates);
    expect(sim.campaigns.length).toBe(before.campaigns);
    expect(sim.writes.counts.estimates).toBe(before.estimates + 1);
    expect(plan.preview).toMatchObject({ vendor: 'clevertap', channel: 'push', schedule: 'now', content: 'Hi — Come back' });
    expect(plan.preview.estimated_reach).toBeGreaterThan(0);
    expect(plan.preview.audience).toMatch(/^did Added To Cart \d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(plan)).not.toContain(sim.credentials.passcode);
    const body = plan.parts[0]!.request.body as Record<string, unknown>;
    expect(body).toMatchObject({ name: 'Cart reminder', target_mode: 'push', when: 'now', estimate_only: false, respect_frequency_caps: true });
    expect(body.content).toEqual({ title: 'Hi', body: 'Come back', platform_specific: { ios: { deep_link: 'app://cart' }, android: { deep_link: 'app://cart' } } });

    const outcome = await writer.execute(plan.parts[0]!);
    expect(outcome.state).toBe('succeeded');
    expect(sim.writes.counts.creates).toBe(before.creates + 1);
    const made = sim.campaigns.filter((c) => c.name === 'Cart reminder');
    expect(made).toHaveLength(1);
    expect(outcome.vendor_ref).toBe(String(made[0]!.id));
    const creates = sim.requests.filter((r) => r.path === '/1/targets/create.json').slice(-2);
    expect(creates.map((r) => r.status)).toEqual([200, 200]);
    expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(1100);
    const today = new Date().toISOString().slice(0, 10);
    const listed = await new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url }, http).listCampaigns({ from: today, to: today });
    expect(listed.campaigns.map((c) => c.id)).toContain(outcome.vendor_ref);
  });

  it('paces every create.json (estimates included) 1 s apart plus a 10% margin on the vendor\'s clock: none refused, none closer', async () => {
    const n = sim.requests.length;
    for (let i = 0; i < 3; i++) {
      const plan = await writer.prepare({ kind: 'create', input: { ...createInput, name: `Paced ${i}` } }, clock);
      expect((await writer.execute(plan.parts[0]!)).state).toBe('succeeded');
    }
    const creates = sim.requests.slice(n).filter((r) => r.path === '/1/targets/create.json').sort((a, b) => a.at - b.at);
    expect(creates).toHaveLength(6);
    expect(creates.map((r) => r.status)).toEqual(creates.map(() => 200));
    for (let i = 1; i < creates.length; i++) expect(creates[i]!.at - creates[i - 1]!.at).toBeGreaterThanOrEqual(1100);
  });

  it('schedules in the account zone as YYYYMMDD HH:MM and shows local and UTC', async () => {
    const w = make({ timezone: 'Asia/Kolkata' });
    const at = new Date(Date.now() + 2 * 86_400_000);
    const day = at.toISOString().slice(0, 10);
    const plan = await w.prepare({ kind: 'create', input: { ...createInput, channel: 'sms', content: { body: 'Sale' }, schedule: `${day}T10:00` } }, clock);
    expect((plan.parts[0]!.request.body as { when: string }).when).toBe(`${day.replaceAll('-', '')} 10:00`);
    expect(plan.preview.schedule).toEqual({ local: `${day} 10:00`, utc: `${day}T04:30:00Z`, timezone: 'Asia/Kolkata' });
  });

  it('targets the event window in the account zone, the days estimate_reach counts: 02:00 in Kolkata is already the 3rd', async () => {
    // 20:30 UTC on 2 Dec is 02:00 on 3 Dec in Asia/Kolkata: an open-ended window ends on the account's today.
    const night = () => new Date('2026-12-02T20:30:00Z');
    const audience = { event: { name: 'Added To Cart', from: '2026-11-30' } };
    const plan = await make({ timezone: 'Asia/Kolkata' }).prepare({ kind: 'create', input: { ...createInput, audience } }, night);
    expect((plan.parts[0]!.request.body as { where: unknown }).where).toEqual({ event_name: 'Added To Cart', from: 20261130, to: 20261203 });
    expect(plan.preview.audience).toBe('did Added To Cart 2026-11-30..2026-12-03');
  });
});

describe('clevertap writer: send', () => {
  it('2,500 identities go as 1,000 + 1,000 + 500, each recipient exactly once', async () => {
    const plan = await writer.prepare(sendOp(2500), clock);
    expect(plan.parts).toEqual([]);
    expect(plan.preview.counts).toEqual({ recipients: 2500, duplicates_removed: 0, batches: 3, batch_size: 1000 });
    const sends = sim.writes.sends.length;
    const all = ids(2500, 'a');
    const res = await sendAll(writer, push, all);
    expect(res.map((r) => r.part.recipients)).toEqual([1000, 1000, 500]);
    expect(res.map((r) => r.outcome.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(sim.writes.sends.slice(sends).map((s) => s.recipients)).toEqual([1000, 1000, 500]);
    expect(all.every((id) => sim.writes.received.get(`Identity:${id}`) === 1)).toBe(true);
    expect([...sim.writes.received.keys()].filter((k) => k.startsWith('Identity:a'))).toHaveLength(2500);
  });

  it('sendPart is pure and carries the documented keys, by Email and objectId too', () => {
    const a = writer.sendPart(push, ['x', 'y'], 0, 'k');
    expect(writer.sendPart(push, ['x', 'y'], 0, 'k')).toEqual(a);
    expect(a).toEqual({ request: { method: 'POST', path: '/1/send/push.json', body: { to: { Identity: ['x', 'y'] }, respect_frequency_caps: true, content: { title: 'Hi', body: 'Your cart misses you' } } }, recipients: 2, retry_safe: false });
    expect((writer.sendPart({ ...push, id_type: 'email' }, ['a@b.c'], 0, 'k').request.body as { to: unknown }).to).toEqual({ Email: ['a@b.c'] });
    expect((writer.sendPart({ ...push, id_type: 'objectId' }, ['o1'], 0, 'k').request.body as { to: unknown }).to).toEqual({ objectId: ['o1'] });
    const email = writer.sendPart({ channel: 'email', id_type: 'email', content: { subject: 'S', body: '<p>B</p>', sender_name: 'Shop' } }, ['a@b.c'], 0, 'k');
    expect(email.request).toMatchObject({ path: '/1/send/email.json', body: { content: { subject: 'S', body: '<p>B</p>', sender_name: 'Shop' } } });
  });
});

describe('clevertap writer: status', () => {
  it('stops a running campaign once; stopping again succeeds with no action', async () => {
    const running = sim.campaigns.find((c) => c.status === 'running')!;
    const stops = sim.writes.counts.stops;
    const plan = await writer.prepare({ kind: 'status', input: { id: String(running.id), action: 'stop' } }, clock);
    expect(plan.parts[0]).toEqual({ request: { method: 'POST', path: '/1/targets/stop.json', body: { id: running.id } }, retry_safe: true });
    expect((await writer.execute(plan.parts[0]!)).state).toBe('succeeded');
    expect((await writer.execute(plan.parts[0]!)).state).toBe('succeeded');
    expect(running.status).toBe('stopped');
    expect(sim.writes.counts.stops).toBe(stops + 1);
  });

  it('the simulator stops only a scheduled or running campaign, as notes 1(g) say: a paused or completed one is a "fail"', async () => {
    const headers = { 'X-CleverTap-Account-Id': sim.credentials.accountId, 'X-CleverTap-Passcode': sim.credentials.passcode, 'Content-Type': 'application/json' };
    for (const status of ['paused', 'completed']) {
      const c = sim.campaigns.find((x) => x.status === status)!;
      const res = await fetch(`${sim.url}/1/targets/stop.json`, { method: 'POST', headers, body: JSON.stringify({ id: c.id }) });
      expect([res.status, ((await res.json()) as { status: string }).status], status).toEqual([400, 'fail']);
      expect(c.status).toBe(status);
    }
    // Pending (scheduled, not yet started), which the writer previews as stoppable: stopped.
    const pending = sim.campaigns.find((x) => x.status === 'pending')!;
    const plan = await writer.prepare({ kind: 'status', input: { id: String(pending.id), action: 'stop' } }, clock);
    expect((await writer.execute(plan.parts[0]!)).state).toBe('succeeded');
    expect(pending.status).toBe('stopped');
  });

  /** A stop's preview: only list.json/report.json reads, each within 31 days (both ends counted, seed 000), and no stop.json. */
  async function previewStop(id: string) {
    const n = sim.requests.length;
    const stops = sim.writes.counts.stops;
    const result = await writer.prepare({ kind: 'status', input: { id, action: 'stop' } }, clock).then((plan) => ({ plan }), (err: unknown) => ({ err }));
    const seen = sim.requests.slice(n);
    expect(sim.writes.counts.stops).toBe(stops);
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      expect(['/1/targets/list.json', '/1/message/report.json']).toContain(r.path);
      const b = r.body as { from: number | string; to: number | string };
      const day = (v: number | string) => Date.parse(String(v).replace(/^(\d{4})(\d\d)(\d\d)$/, '$1-$2-$3'));
      expect((day(b.to) - day(b.from)) / 86_400_000 + 1).toBeLessThanOrEqual(31);
    }
    return result;
  }

  it('the preview reads the campaign and names it and its state', async () => {
    const scheduled = sim.campaigns.find((c) => c.status === 'scheduled' || c.status === 'pending')!;
    const r = await previewStop(String(scheduled.id));
    expect('plan' in r && r.plan.preview.operation).toBe(`stop campaign "${scheduled.name}" (${scheduled.id}), now ${scheduled.status}`);
  });

  it('refuses an id CleverTap does not hold, before any write, saying how far it looked', async () => {
    const r = await previewStop('999');
    expect('err' in r && r.err).toBeInstanceOf(VendorError);
    expect(((r as { err: VendorError }).err).message).toMatch(/^cannot stop campaign 999: it was not found between \d{4}-\d\d-\d\d and \d{4}-\d\d-\d\d \(\d+ list\.json requests\); nothing was stopped$/);
    expect(((r as { err: VendorError }).err).status).toBe(404);
  });

  it.each(['completed', 'stopped', 'paused'])('refuses to stop a %s campaign, before any write', async (word) => {
    const c = sim.campaigns.find((x) => x.status === word)!;
    const r = await previewStop(String(c.id));
    expect('err' in r && r.err).toBeInstanceOf(InputError);
    expect(((r as { err: Error }).err).message).toBe(
      `cannot stop campaign ${c.id} ("${c.name}", ${word}): CleverTap stops only a scheduled or running campaign (notes 1(g)).${word === 'stopped' ? ' It is already stopped.' : ''} Nothing was stopped.`);
  });

  it('a status word list.json does not document is previewed with a warning, not refused', async () => {
    const c = sim.campaigns.find((x) => x.status === 'awaiting_approval')!;
    const r = await previewStop(String(c.id));
    expect('plan' in r && r.plan.preview.notes?.[0]).toMatch(/"awaiting_approval".*may refuse the stop/);
  });
});

describe('clevertap writer: bad input never reaches the vendor', () => {
  const bad: Array<[string, WriteOp, typeof InputError | typeof UnsupportedError, RegExp]> = [
    ['phone id_type', sendOp(3, { ...push, id_type: 'phone' }), InputError, /identity, email, objectId/],
    ['a channel without a send endpoint', sendOp(3, { ...push, channel: 'whatsapp' }), UnsupportedError, /push, sms, webpush, email/],
    ['push without a title', sendOp(3, { ...push, content: { body: 'b' } }), InputError, /content\.title/],
    ['email without a subject', sendOp(3, { channel: 'email', id_type: 'email', content: { body: 'b', sender_name: 'S' } }), InputError, /content\.subject/],
    ['email without a sender name', sendOp(3, { channel: 'email', id_type: 'email', content: { body: 'b', subject: 'S' } }), InputError, /content\.sender_name/],
    ['no recipients', sendOp(0), InputError, /recipients is empty/],
    ['a non-integer campaign_id', sendOp(3, { ...push, campaign_id: 'mailing-3' }), InputError, /integer/],
    ['a schedule in the past', { kind: 'create', input: { ...createInput, schedule: '2020-01-01T10:00' } }, InputError, /in the past/],
    ['segment and filters together', { kind: 'create', input: { ...createInput, audience: { segment_id: '12', event: { name: 'X' } } } }, UnsupportedError, /segment/],
    ['a whatsapp campaign', { kind: 'create', input: { ...createInput, channel: 'whatsapp' } }, UnsupportedError, /whatsapp/],
    ['pause', { kind: 'status', input: { id: '1457432766', action: 'pause' } }, UnsupportedError, /no pause API/],
    ['resume', { kind: 'status', input: { id: '1457432766', action: 'resume' } }, UnsupportedError, /no resume API/],
    ['a non-numeric id to stop', { kind: 'status', input: { id: 'abc', action: 'stop' } }, InputError, /integers/],
  ];
  it.each(bad)('%s', async (_name, op, type, message) => {
    const n = sim.requests.length;
    const err = await writer.prepare(op, clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect(sim.requests.length).toBe(n);
  });

  it('a create the vendor would refuse fails at prepare (its estimate), creating nothing', async () => {
    const creates = sim.writes.counts.creates;
    const w = make({ passcode: 'wrong-passcode' });
    await expect(w.prepare(create, clock)).rejects.toBeInstanceOf(VendorError);
    expect(sim.writes.counts.creates).toBe(creates);
  });
});
