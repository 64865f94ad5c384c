import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { serveSim, type RunningSim, type SimReply } from '../src/sandbox/sim.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import type { CleverTapWriter } from '../src/vendors/clevertap-writer.js';
import type { SendInput } from '../src/vendors/vendor.js';

let sim: CleverTapSim;
let http: HttpClient;
let writer: CleverTapWriter;
let seq = 0;
const clock = () => new Date();
/** Retry-After and the send throughput knob run 20x faster on one clock shared by the client and the simulator. */
const fast = fastClock(20);
const push: SendInput = { channel: 'push', id_type: 'identity', content: { title: 'Hi', body: 'Come back' } };
const batch = (n = 10) => Array.from({ length: n }, (_, i) => `f${seq}-${i}`);
const reached = (ids: string[]) => ids.map((id) => sim.writes.received.get(`Identity:${id}`) ?? 0);
const writerAt = (baseUrl: string, over: Record<string, string> = {}, client = http) =>
  new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl, ...over }, client).writer;

beforeAll(async () => {
  sim = await startCleverTapSim({ seed: 12, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
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

describe('clevertap writer under faults: every answer is an outcome, no recipient twice', () => {
  it.each([
    ['a 500 after acting', { kind: 'status', status: 500, acted: true } as const, 1],
    ['a 500 before acting', { kind: 'status', status: 500, acted: false } as const, 0],
    ['a connection dropped after acting', { kind: 'drop', acted: true } as const, 1],
    ['a connection dropped before acting', { kind: 'drop', acted: false } as const, 0],
    ['a slow answer (past the client timeout)', { kind: 'slow', ms: 900 } as const, 1],
  ])('%s: unknown, sent once, the sim shows whether it acted', async (_name, fault, acted) => {
    const ids = batch();
    // The slow answer races the client's real timeout: a client of its own (warmed up first) gives up after 300 ms.
    const impatient = fault.kind === 'slow' ? new HttpClient({ timeoutMs: 300, clock: fast }) : undefined;
    const w = impatient ? writerAt(sim.url, {}, impatient) : writer;
    if (impatient) await impatient.send({ vendor: 'clevertap', method: 'GET', url: `${sim.url}/warm-up`, kind: 'read' }).catch(() => undefined);
    sim.writes.knobs.inject(fault);
    const n = sim.requests.length;
    const out = await w.execute(w.sendPart(push, ids, 0, 'k'));
    if (impatient) {
      while (sim.requests.length === n) await new Promise((r) => setTimeout(r, 20)); // the sim records it once it has answered
      await impatient.close();
    }
    expect(out.state).toBe('unknown');
    expect(out.not_acted).toBeUndefined();
    expect(out.message).toMatch(/may have acted/);
    expect(sim.requests.slice(n).filter((r) => r.path === '/1/send/push.json')).toHaveLength(1);
    expect(reached(ids)).toEqual(ids.map(() => acted));
  });

  it('a 429 is retried after its Retry-After and reaches each recipient once', async () => {
    const ids = batch();
    sim.writes.knobs.inject({ kind: 'status', status: 429, acted: false, retryAfterSec: 0.2 });
    const n = sim.requests.length;
    const started = fast.now();
    const out = await writer.execute(writer.sendPart(push, ids, 0, 'k'));
    expect(out.state).toBe('succeeded');
    const seen = sim.requests.slice(n);
    expect(seen.map((r) => r.status)).toEqual([429, 200]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(190);
    expect(fast.now() - started).toBeGreaterThanOrEqual(200);
    expect(reached(ids)).toEqual(ids.map(() => 1));
  });

  it('429s beyond the retries: failed and not acted (safe to send later), nobody reached', async () => {
    const ids = batch();
    for (let i = 0; i < 4; i++) sim.writes.knobs.inject({ kind: 'status', status: 429, acted: false, retryAfterSec: 0.01 });
    const out = await writer.execute(writer.sendPart(push, ids, 0, 'k'));
    expect(out).toMatchObject({ state: 'failed', not_acted: true });
    expect(out.fatal).toBeUndefined();
    expect(reached(ids)).toEqual(ids.map(() => 0));
  });

  it('a refused connection is retried, then failed and not acted', async () => {
    const closed = await serveSim(() => ({ status: 200 }));
    const url = closed.url;
    await closed.close();
    const out = await writerAt(url).execute(writer.sendPart(push, batch(), 0, 'k'));
    expect(out).toMatchObject({ state: 'failed', not_acted: true });
  });

  it('401 is failed and fatal, without the passcode in the message', async () => {
    const ids = batch();
    const out = await writerAt(sim.url, { passcode: 'wrong-passcode-123' }).execute(writer.sendPart(push, ids, 0, 'k'));
    expect(out).toMatchObject({ state: 'failed', fatal: true });
    expect(out.message).toMatch(/Invalid Credentials/);
    expect(JSON.stringify(out)).not.toContain('wrong-passcode-123');
    expect(reached(ids)).toEqual(ids.map(() => 0));
  });

  it('invalid recipients (84) fail that batch only; refused content is fatal', async () => {
    const bad = await writer.execute(writer.sendPart(push, ['ok', ''], 0, 'k'));
    expect(bad).toMatchObject({ state: 'failed', message: expect.stringMatching(/Invalid recipients.*code 84/) });
    expect(bad.fatal).toBeUndefined();
    const noTitle = await writer.execute(writer.sendPart({ ...push, content: { body: 'b' } }, batch(), 0, 'k'));
    expect(noTitle).toMatchObject({ state: 'failed', fatal: true });
  });

  it.each([
    ['a 500 after acting', { kind: 'status', status: 500, acted: true } as const],
    ['a connection dropped after acting', { kind: 'drop', acted: true } as const],
  ])('a stop (idempotent: retry_safe) that got %s is repeated and succeeds; a create that got it is not', async (_name, fault) => {
    const target = sim.campaigns.find((c) => c.status === 'running' || c.status === 'scheduled')!;
    const plan = await writer.prepare({ kind: 'status', input: { id: String(target.id), action: 'stop' } }, clock);
    expect(plan.parts[0]!.retry_safe).toBe(true);
    const stops = sim.writes.counts.stops;
    sim.writes.knobs.inject({ ...fault, path: /stop\.json/ });
    const n = sim.requests.length;
    const out = await writer.execute(plan.parts[0]!);
    expect(out.state).toBe('succeeded');
    expect(sim.requests.slice(n).filter((r) => r.path === '/1/targets/stop.json')).toHaveLength(2);
    expect(target.status).toBe('stopped');
    expect(sim.writes.counts.stops).toBe(stops + 1);

    const create = await writer.prepare({ kind: 'create', input: { name: `once-${seq}`, channel: 'sms', audience: { all_users: true }, content: { body: 'x' } } }, clock);
    expect(create.parts[0]!.retry_safe).toBe(false);
    sim.writes.knobs.inject({ ...fault, path: /create\.json/ });
    const m = sim.requests.length;
    expect((await writer.execute(create.parts[0]!)).state).toBe('unknown');
    expect(sim.requests.slice(m).filter((r) => r.path === '/1/targets/create.json')).toHaveLength(1);
  });

  it('a create dropped after acting is unknown and created once; its retry-less client never sends it twice', async () => {
    const plan = await writer.prepare({ kind: 'create', input: { name: `drop-${seq}`, channel: 'sms', audience: { all_users: true }, content: { body: 'x' } } }, clock);
    sim.writes.knobs.inject({ kind: 'drop', acted: true, path: /create\.json/ });
    const out = await writer.execute(plan.parts[0]!);
    expect(out.state).toBe('unknown');
    expect(sim.campaigns.filter((c) => c.name === `drop-${seq}`)).toHaveLength(1);
  });
});

describe('the send throughput knob (for the benchmark)', () => {
  const run = async (mode: 'queue' | 'refuse') => {
    sim.writes.knobs.sendPerSecond = 20;
    sim.writes.knobs.sendLimitMode = mode;
    sim.maxInFlight = 0;
    const n = sim.requests.length;
    try {
      const parts = Array.from({ length: 12 }, (_, i) => writer.sendPart(push, [`t${seq}-${i}`], i, `k${i}`));
      const started = fast.now();
      const outs = await Promise.all(parts.map((p) => writer.execute(p)));
      const accepted = sim.requests.slice(n).filter((r) => r.status === 200).map((r) => r.at).sort((a, b) => a - b);
      return { outs, elapsed: fast.now() - started, accepted, counts: parts.map((_, i) => sim.writes.received.get(`Identity:t${seq}-${i}`) ?? 0) };
    } finally {
      sim.writes.knobs.sendPerSecond = undefined;
    }
  };

  it('queue: 12 sends at 20/s take >= 550 ms, all succeed, each recipient once, never 4 in flight', async () => {
    const r = await run('queue');
    expect(r.elapsed).toBeGreaterThanOrEqual(550);
    expect(r.outs.every((o) => o.state === 'succeeded')).toBe(true);
    expect(sim.maxInFlight).toBeLessThanOrEqual(3);
    expect(r.counts).toEqual(r.outs.map(() => 1));
  });

  it('refuse: accepted sends are >= 50 ms apart; refused ones are not acted and reach nobody', async () => {
    const r = await run('refuse');
    for (let i = 1; i < r.accepted.length; i++) expect(r.accepted[i]! - r.accepted[i - 1]!).toBeGreaterThanOrEqual(45);
    r.outs.forEach((o, i) => {
      if (o.state === 'succeeded') expect(r.counts[i]).toBe(1);
      else expect([o.state, o.not_acted, r.counts[i]]).toEqual(['failed', true, 0]);
    });
    expect(r.outs.filter((o) => o.state === 'succeeded').length).toBeGreaterThan(1);
  });
});

describe('clevertap writer against the seed 001 literal answers', () => {
  let literal: RunningSim;
  let answer: SimReply;
  beforeAll(async () => {
    literal = await serveSim(() => answer);
  });
  afterAll(() => literal.close());

  it('parses success, each documented failure code, and the estimate example', async () => {
    const w = writerAt(literal.url);
    const part = w.sendPart(push, ['JohnDoe'], 0, 'k');
    answer = { status: 200, body: { status: 'success', message: 'Added to queue for processing' } };
    expect(await w.execute(part)).toEqual({ state: 'succeeded', message: 'Added to queue for processing' });
    // A refusal of the request itself is fatal and not acted on (the same token sends it again once fixed); 84 and 89 concern one batch.
    const all = { fatal: true, not_acted: true } as const;
    const expected: Record<number, { fatal?: true; not_acted?: true }> = { 21: all, 84: {}, 73: all, 78: all, 89: {} };
    for (const [code, more] of Object.entries(expected)) {
      answer = { status: 200, body: { status: 'fail', error: '<error message here>', code: Number(code) } };
      const out = await w.execute(part);
      expect(out).toEqual({ state: 'failed', message: `<error message here>, HTTP 400, code ${code}`, ...more });
    }
    answer = { status: 200, body: { status: 'success', estimates: { web: 2 } } };
    const plan = await w.prepare({ kind: 'create', input: { name: 'My Webpush API campaign', channel: 'webpush', audience: { all_users: true }, content: { title: 'Hi!', body: 'How are you doing today?' } } }, clock);
    expect(plan.preview.estimated_reach).toBe(2);
  });

  it('builds bodies with only keys the seed documents', () => {
    const w = writerAt(literal.url);
    const sendKeys = ['to', 'tag_group', 'campaign_id', 'respect_frequency_caps', 'content'];
    const body = w.sendPart({ ...push, campaign_id: '1000000043', content: { title: 'Hi!', body: 'b', deep_link: 'example.com' } }, ['JohnDoe'], 0, 'k').request.body as Record<string, unknown>;
    expect(Object.keys(body).every((k) => sendKeys.includes(k))).toBe(true);
    expect(body).toMatchObject({ to: { Identity: ['JohnDoe'] }, campaign_id: 1000000043 });
    expect(Object.keys(body.content as object).sort()).toEqual(['body', 'platform_specific', 'title']);
  });
});
