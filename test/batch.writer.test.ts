import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError, UnsupportedError, VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startBatchSim, type BatchSim } from '../src/sandbox/batch.js';
import { serveSim, type RunningSim, type SimReply } from '../src/sandbox/sim.js';
import { BatchAdapter } from '../src/vendors/batch.js';
import type { BatchWriter } from '../src/vendors/batch-writer.js';
import type { CreateInput, SendInput, WriteOp } from '../src/vendors/vendor.js';

let sim: BatchSim;
let http: HttpClient;
let writer: BatchWriter;
let seq = 0;
const clock = () => new Date();
const push: SendInput = { channel: 'push', id_type: 'identity', content: { title: 'Hi', body: 'Your order shipped' } };
const createInput: CreateInput = { name: 'Spring sale', channel: 'push', audience: { segment_id: 'engaged' }, content: { title: 'Sale', body: '20% off', deep_link: 'app://sale' } };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `b${seq}-${i}`);
const reached = (list: string[], key = 'custom_ids') => list.map((id) => sim.writes.received.get(`${key}:${id}`) ?? 0);
const writerAt = (baseUrl: string, over: Record<string, string> = {}, client = http) =>
  new BatchAdapter({ account: 'default', ...sim.credentials, baseUrl, ...over }, client).writer;
const sendOp = (n: number, input: SendInput = push): WriteOp => ({ kind: 'send', input, recipients: { count: n, duplicates_removed: 2 } });

async function sendAll(w: BatchWriter, input: SendInput, all: string[]) {
  const size = w.capabilities.send.batch_size;
  const out = [];
  for (let i = 0; i * size < all.length; i++) {
    const part = w.sendPart(input, all.slice(i * size, (i + 1) * size), i, `k${i}`);
    out.push({ part, outcome: await w.execute(part) });
  }
  return out;
}

/** Pacing, windows and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);

beforeAll(async () => {
  sim = await startBatchSim({ seed: 21, rateLimit: false, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 3000, clock: fast });
  writer = writerAt(sim.url);
});
beforeEach(() => {
  seq++;
  sim.writes.knobs.faults.length = 0;
});
afterAll(async () => {
  await sim.close();
  await http.close();
});

describe('batch writer: create and status', () => {
  it('prepare sends nothing; execute creates exactly one listable live campaign; pause and resume change live', async () => {
    const n = sim.requests.length;
    const plan = await writer.prepare({ kind: 'create', input: createInput }, clock);
    expect(sim.requests.length).toBe(n);
    expect(plan.parts[0]!.request).toEqual({
      method: 'POST', path: 'campaigns/create',
      body: { name: 'Spring sale', live: true, push_time: 'now', messages: [{ title: 'Sale', body: '20% off' }], targeting: { segments: ['ENGAGED'] }, deeplink: 'app://sale' },
    });
    expect(plan.preview).toMatchObject({ vendor: 'batch', audience: 'segment ENGAGED', schedule: 'now', content: 'Sale — 20% off' });
    expect(JSON.stringify(plan)).not.toMatch(new RegExp(`${sim.credentials.apiKey}|${sim.credentials.restApiKey}`));
    const creates = sim.writes.counts.creates;
    const out = await writer.execute(plan.parts[0]!);
    expect(out.state).toBe('succeeded');
    expect(sim.writes.counts.creates).toBe(creates + 1);
    const made = sim.campaigns.filter((c) => c.record.name === 'Spring sale');
    expect(made).toHaveLength(1);
    expect(out.vendor_ref).toBe(made[0]!.record.campaign_token);
    const listed = await new BatchAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url }, http).listCampaigns({});
    expect(listed.campaigns.map((c) => c.id)).toContain(out.vendor_ref);

    const updates = sim.writes.counts.updates;
    const pause = await writer.prepare({ kind: 'status', input: { id: out.vendor_ref!, action: 'pause' } }, clock);
    expect(sim.writes.counts.updates).toBe(updates);
    expect(pause.parts[0]!.request).toEqual({ method: 'POST', path: `campaigns/update/${out.vendor_ref}`, body: { live: false } });
    expect(pause.preview.notes!.join(' ')).toMatch(/\[U\]/);
    expect((await writer.execute(pause.parts[0]!)).state).toBe('succeeded');
    expect(made[0]!.record.live).toBe(false);
    const resume = await writer.prepare({ kind: 'status', input: { id: out.vendor_ref!, action: 'resume' } }, clock);
    expect((await writer.execute(resume.parts[0]!)).state).toBe('succeeded');
    expect(made[0]!.record.live).toBe(true);
    expect(sim.writes.counts.updates).toBe(updates + 2);
  });

  it('schedules as push_time in UTC and shows the account zone', async () => {
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const w = writerAt(sim.url, { timezone: 'Asia/Tokyo' } as never);
    const plan = await w.prepare({ kind: 'create', input: { ...createInput, audience: { all_users: true }, schedule: `${day}T09:00` } }, clock);
    const body = plan.parts[0]!.request.body as Record<string, unknown>;
    expect(body.push_time).toBe(`${day}T00:00:00`);
    expect(body.targeting).toBeUndefined();
    expect(plan.preview.schedule).toEqual({ local: `${day} 09:00`, utc: `${day}T00:00:00Z`, timezone: 'Asia/Tokyo' });
  });

  it('refuses a dashboard campaign, an unknown token and stop at prepare, writing nothing', async () => {
    const updates = sim.writes.counts.updates;
    const dashboard = sim.campaigns.find((c) => c.record.from_api === false)!;
    await expect(writer.prepare({ kind: 'status', input: { id: dashboard.record.campaign_token, action: 'pause' } }, clock)).rejects.toThrow(/created in the dashboard/);
    await expect(writer.prepare({ kind: 'status', input: { id: 'nope0000', action: 'pause' } }, clock)).rejects.toMatchObject({ status: 404 });
    const n = sim.requests.length;
    await expect(writer.prepare({ kind: 'status', input: { id: 'nope0000', action: 'stop' } }, clock)).rejects.toThrow(/documents no stop/);
    expect(sim.requests.length).toBe(n);
    expect(sim.writes.counts.updates).toBe(updates);
  });
});

describe('batch writer: send', () => {
  it('12,000 custom ids go as 10,000 + 2,000, each recipient exactly once', async () => {
    const plan = await writer.prepare(sendOp(12_000), clock);
    expect(plan.parts).toEqual([]);
    expect(plan.preview.counts).toEqual({ recipients: 12_000, duplicates_removed: 2, batches: 2, batch_size: 10_000 });
    expect(plan.preview.notes!.join(' ')).toMatch(/10000 ids: that cap is unconfirmed \[U\]/);
    const all = ids(12_000);
    const res = await sendAll(writer, push, all);
    expect(res.map((r) => r.part.recipients)).toEqual([10_000, 2_000]);
    expect(res.map((r) => r.outcome.state)).toEqual(['succeeded', 'succeeded']);
    expect(res.every((r) => typeof r.outcome.vendor_ref === 'string')).toBe(true);
    expect(sim.writes.sends.slice(-2).map((s) => s.recipients)).toEqual([10_000, 2_000]);
    expect(reached(all).every((n) => n === 1)).toBe(true);
  });

  it('sends by install_id; sendPart is pure; campaign_id becomes the group_id', () => {
    const a = writer.sendPart({ ...push, id_type: 'install_id', campaign_id: 'spring_2026' }, ['i1'], 0, 'k');
    expect(a).toEqual({ request: { method: 'POST', path: 'transactional/send', body: { group_id: 'spring_2026', recipients: { install_ids: ['i1'] }, message: { title: 'Hi', body: 'Your order shipped' } } }, recipients: 1, retry_safe: false });
    expect(writer.sendPart({ ...push, id_type: 'install_id', campaign_id: 'spring_2026' }, ['i1'], 0, 'k')).toEqual(a);
  });

  const bad: Array<[string, WriteOp, typeof InputError | typeof UnsupportedError, RegExp]> = [
    ['email id_type', sendOp(3, { ...push, id_type: 'email' }), InputError, /identity, install_id/],
    ['an email send', sendOp(3, { ...push, channel: 'email' }), UnsupportedError, /on push/],
    ['push without a title', sendOp(3, { ...push, content: { body: 'b' } }), InputError, /content\.title/],
    ['an image', sendOp(3, { ...push, content: { title: 't', body: 'b', image_url: 'https://x/y.png' } as never }), UnsupportedError, /image_url/],
    ['a bad group id', sendOp(3, { ...push, campaign_id: 'a b' }), InputError, /group_id/],
    ['no recipients', sendOp(0), InputError, /recipients is empty/],
    ['an event audience', { kind: 'create', input: { ...createInput, audience: { event: { name: 'purchase' } } } }, UnsupportedError, /query language/],
    ['a schedule in the past', { kind: 'create', input: { ...createInput, schedule: '2021-03-01T10:00:00Z' } }, InputError, /in the past/],
    ['an sms campaign', { kind: 'create', input: { ...createInput, channel: 'sms' } }, UnsupportedError, /on push/],
    ['a path-breaking token', { kind: 'status', input: { id: '../list', action: 'resume' } }, InputError, /campaign_token/],
  ];
  it.each(bad)('bad input at prepare, no request: %s', async (_name, op, type, message) => {
    const n = sim.requests.length;
    const err = await writer.prepare(op, clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect(sim.requests.length).toBe(n);
  });
});

describe('batch writer under faults', () => {
  it.each([
    ['a 500 after acting', { kind: 'status', status: 500, acted: true } as const, 1],
    ['a 503 before acting', { kind: 'status', status: 503, acted: false } as const, 0],
    ['a connection dropped after acting', { kind: 'drop', acted: true } as const, 1],
    ['a connection dropped before acting', { kind: 'drop', acted: false } as const, 0],
  ])('%s: unknown, sent once, the sim shows whether it acted', async (_name, fault, acted) => {
    const list = ids(20);
    sim.writes.knobs.inject(fault);
    const n = sim.requests.length;
    const out = await writer.execute(writer.sendPart(push, list, 0, 'k'));
    expect(out.state).toBe('unknown');
    expect(sim.requests.slice(n)).toHaveLength(1);
    expect(reached(list)).toEqual(list.map(() => acted));
  });

  it('a 429 waits at least Batch\'s 5 s, then goes through once', async () => {
    const list = ids(5);
    sim.writes.knobs.inject({ kind: 'status', status: 429, acted: false, retryAfterSec: 1 });
    const n = sim.requests.length;
    const out = await writer.execute(writer.sendPart(push, list, 0, 'k'));
    expect(out.state).toBe('succeeded');
    const seen = sim.requests.slice(n);
    expect(seen.map((r) => r.status)).toEqual([429, 201]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(4900);
    expect(reached(list)).toEqual(list.map(() => 1));
  }, 15_000);

  it('a 429 with no retry left is failed and not acted; 401 is fatal and names no key', async () => {
    const once = new HttpClient({ retries: 0, clock: fast });
    try {
      sim.writes.knobs.inject({ kind: 'status', status: 429, acted: false, retryAfterSec: 1 });
      expect(await writerAt(sim.url, {}, once).execute(writer.sendPart(push, ids(3), 0, 'k'))).toMatchObject({ state: 'failed', not_acted: true });
      const denied = await writerAt(sim.url, { restApiKey: 'wrong-rest-key-9' }).execute(writer.sendPart(push, ids(3), 0, 'k'));
      expect(denied).toMatchObject({ state: 'failed', fatal: true, message: expect.stringMatching(/AUTHENTICATION_INVALID/) });
      expect(JSON.stringify(denied)).not.toContain('wrong-rest-key-9');
    } finally {
      await once.close();
    }
  });
});

describe('batch writer against the notes\' literal answers', () => {
  let literal: RunningSim;
  let answer: SimReply;
  beforeAll(async () => {
    literal = await serveSim(() => answer);
  });
  afterAll(() => literal.close());

  it('reads 201 {token} and {campaign_token}; an error body is a failure even on 200', async () => {
    const w = writerAt(literal.url);
    const part = w.sendPart(push, ['u1'], 0, 'k');
    answer = { status: 201, body: { token: 'c2a4d6e8' } };
    expect(await w.execute(part)).toEqual({ state: 'succeeded', vendor_ref: 'c2a4d6e8' });
    answer = { status: 201, body: { campaign_token: 'a0082dc6860938a26280bd3ba927303b' } };
    expect((await w.execute(part)).vendor_ref).toBe('a0082dc6860938a26280bd3ba927303b');
    answer = { status: 200, body: { error_code: 31, error_message: 'Malformed parameter' } };
    expect(await w.execute(part)).toMatchObject({ state: 'failed', fatal: true, message: expect.stringMatching(/MALFORMED_PARAMETER/) });
    answer = { status: 400, body: { error_code: 30, error_message: 'Missing parameter' } };
    expect(await w.execute(part)).toMatchObject({ state: 'failed', fatal: true });
    const checked = await w.prepare({ kind: 'status', input: { id: 'abc', action: 'pause' } }, clock);
    expect(checked.preview.notes!.join(' ')).toMatch(/Could not check the campaign first/);
    answer = { status: 401, body: { error_code: 10, error_message: 'Authentication invalid' } };
    await expect(w.prepare({ kind: 'status', input: { id: 'abc', action: 'pause' } }, clock)).rejects.toBeInstanceOf(VendorError);
  });
});

describe('write capabilities in words', () => {
  it('summarises each writer for list_vendors', async () => {
    const { writeSummary } = await import('../src/vendors/write-summary.js');
    expect(writeSummary(writer.capabilities)).toEqual(['create push', 'send push by identity, install_id (≤ 10000 a request)', 'set status: pause, resume']);
    const ct = (await import('../src/vendors/clevertap-write-map.js')).CLEVERTAP_WRITE_CAPABILITIES;
    expect(writeSummary(ct)).toEqual(['create push, email, sms, webpush', 'send push, sms, webpush, email by identity, email, objectId (≤ 1000 a request)', 'set status: stop']);
  });
});
