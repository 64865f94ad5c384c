import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import { MOENGAGE_SANDBOX_ALERT } from '../src/sandbox/moengage-writes.js';
import { createServer } from '../src/server.js';
import { MoEngageAdapter } from '../src/vendors/moengage.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { gateContext } from './helpers/gate-ctx.js';
import { describeRedis, testRedisUrl } from './helpers/redis.js';
import { randomBytes } from 'node:crypto';
import { WriteGate } from '../src/confirm.js';
import { RedisStore } from '../src/store-redis.js';
import { TokenSigner } from '../src/tokens.js';
import { StoreError } from '../src/store.js';

// A MoEngage Inform part sends one request a recipient (100 to a part). DESIGN, the write gate: nothing is written
// twice, nothing is lost, and counts are in recipients. So a part the vendor took only some of is counted recipient by
// recipient, and the same token later sends exactly its recipients never sent, never one already accepted.
const fast = fastClock(20);
let sim: MoEngageSim;
let http: HttpClient;
let client: Client;
let adapter: MoEngageAdapter;
let g: ReturnType<typeof gateContext>;
const original: { handle?: MoEngageSim['writes']['handle'] } = {};
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  sim = await startMoEngageSim({ seed: 7, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
  adapter = new MoEngageAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url, createdBy: 'ops@shop.example' }, http);
  g = gateContext([adapter], { settings: { ask: 'never' } });
  client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
  original.handle = sim.writes.handle;
  process.on('warning', onWarning);
});
afterEach(() => {
  sim.writes.handle = original.handle!;
});
afterAll(async () => {
  process.off('warning', onWarning);
  // A person sees process warnings on stderr: 4 parts of 8 requests each waiting on the gate's halt is no leak.
  expect(warnings).toEqual([]);
  await client?.close();
  g?.cleanup();
  await http?.close();
  await sim?.close();
});

const informs = () => sim.requests.filter((r) => r.path.endsWith('/alerts/send'));
const reached = () => sim.writes.reached.get(MOENGAGE_SANDBOX_ALERT.alert_id) ?? new Map<string, number>();
const recipientOf = (req: { body?: unknown }) => ((req.body as { payloads?: { EMAIL?: { recipient?: string } } }).payloads?.EMAIL?.recipient ?? '');
const send = (tag: string, n: number) => ({
  vendor: 'moengage', channel: 'email', campaign_id: MOENGAGE_SANDBOX_ALERT.alert_id,
  recipients: { id_type: 'email', ids: Array.from({ length: n }, (_, i) => `${tag}${i}@shop.example`) }, content: { subject: 'Your order', body: 'It shipped' },
});
type Outcome = { status: string; counts: { recipients: number; succeeded: number; failed: number; unknown: number; pending: number }; batches: Array<{ index: number; state: string; message?: string }>; resumed?: boolean };
async function call(args: Record<string, unknown>, via = client): Promise<{ r: Outcome; isError: boolean }> {
  const res = await via.callTool({ name: 'send_to_users', arguments: args });
  return { r: res.structuredContent as Outcome, isError: res.isError === true };
}
async function confirmOf(args: Record<string, unknown>, via = client): Promise<string> {
  return ((await call(args, via)).r as unknown as { confirm: string }).confirm;
}

describe('MoEngage Inform through the gate: a part the vendor took only some of', () => {
  it('key revoked mid-send: the accepted are counted accepted, the refused failed, the rest pending; fixed, the same token sends exactly those', () => revokedMidSend('rev', client));

  it('key revoked after the first request: whole batches refused count failed, as their recipients do in a mixed one', async () => {
    const args = send('early', 250);
    const confirm = await confirmOf(args);
    const before = informs().length;
    let seen = 0;
    sim.writes.handle = (req, ok) => original.handle!(req, ok && ++seen <= 1);
    const first = await call({ ...args, confirm });
    const refused = informs().slice(before).filter((q) => q.status === 401).length;
    expect(first.r.counts).toEqual({ recipients: 250, succeeded: 1, failed: refused, unknown: 0, pending: 249 - refused });
    sim.writes.handle = original.handle!;
    const again = await call({ ...args, confirm });
    expect(again.r).toMatchObject({ status: 'succeeded', counts: { succeeded: 250 } });
    expect([...reached()].filter(([id]) => id.startsWith('early'))).toHaveLength(250);
    expect([...reached()].filter(([id]) => id.startsWith('early')).every(([, v]) => v === 1)).toBe(true);
  });

  it('a resume refused again part-way merges into the batch: each run counted, the third sends only what is left', async () => {
    const args = send('twice', 250);
    const confirm = await confirmOf(args);
    const mine = () => [...reached()].filter(([id]) => id.startsWith('twice'));
    let seen = 0;
    sim.writes.handle = (req, ok) => original.handle!(req, ok && ++seen <= 100);
    const first = await call({ ...args, confirm });
    expect(first.r.counts.succeeded).toBe(100);
    // Fixed, then revoked again after 60 more.
    seen = 0;
    sim.writes.handle = (req, ok) => original.handle!(req, ok && ++seen <= 60);
    const second = await call({ ...args, confirm });
    expect(mine().length).toBe(160);
    expect(second.r.counts).toMatchObject({ recipients: 250, succeeded: 160, unknown: 0 });
    expect(second.r.counts.failed + second.r.counts.pending).toBe(90);
    const before = informs().length;
    sim.writes.handle = original.handle!;
    const third = await call({ ...args, confirm });
    expect(third.r).toMatchObject({ status: 'succeeded', counts: { succeeded: 250 } });
    expect(informs().length - before).toBe(90);
    expect(mine().every(([, v]) => v === 1)).toBe(true);
  });

  it('a resume whose outcomes the journal cannot record: what it sent reads back unknown, and the same token never sends it again', async () => {
    const args = send('lost', 250);
    const confirm = await confirmOf(args);
    let seen = 0;
    sim.writes.handle = (req, ok) => original.handle!(req, ok && ++seen <= 100);
    await call({ ...args, confirm });
    sim.writes.handle = original.handle!;
    const record = g.store.recordOutcome.bind(g.store);
    g.store.recordOutcome = async () => {
      throw new StoreError('the disk is full');
    };
    const start = informs().length;
    const stopped = await call({ ...args, confirm });
    g.store.recordOutcome = record;
    expect(stopped.r.counts.succeeded).toBe(100);
    const sentInResume = new Set(informs().slice(start).map(recipientOf));
    expect(sentInResume.size).toBeGreaterThan(0);
    const before = informs().length;
    const after = await call({ ...args, confirm });
    // Sent while the journal could not record the answer: unknown, never resent with this token.
    expect(informs().slice(before).map(recipientOf).filter((id) => sentInResume.has(id))).toEqual([]);
    expect(after.r.counts.unknown).toBeGreaterThanOrEqual(sentInResume.size);
    expect(after.r.counts.succeeded + after.r.counts.unknown).toBe(250);
    expect([...reached()].filter(([id]) => id.startsWith('lost')).every(([, v]) => v === 1)).toBe(true);
  });

  it('a recipient unknown at first stays unknown when its retry is refused: the same token never sends it again', async () => {
    const args = send('stk', 20);
    const confirm = await confirmOf(args);
    // stk0's first request gets a 500 (MoEngage may have acted); its retry, a 401: that says nothing of the first.
    let tries = 0;
    sim.writes.handle = (req, ok) => (recipientOf(req) !== 'stk0@shop.example' ? original.handle!(req, ok)
      : Promise.resolve(tries++ === 0
        ? { status: 500, body: { message: 'Unexpected error occurred', err_code: 'Internal Server Error', status_code: 140109 } }
        : { status: 401, body: { message: 'Invalid App Key or Basic Auth', err_code: 'UNAUTHORIZED', status_code: 120001 } }));
    const first = await call({ ...args, confirm });
    expect(first.r.counts.unknown).toBe(1);
    const asked = () => informs().filter((q) => recipientOf(q) === 'stk0@shop.example').length;
    const askedFirst = asked();
    sim.writes.handle = original.handle!;
    const again = await call({ ...args, confirm });
    expect(asked()).toBe(askedFirst);
    expect(again.r.counts).toMatchObject({ recipients: 20, succeeded: 19, unknown: 1, pending: 0, failed: 0 });
  });

  it('one recipient of unknown outcome: counted alone; resend_unknown previews and sends that one recipient only', async () => {
    const args = send('unk', 20);
    const confirm = await confirmOf(args);
    // Every answer for this one recipient is a 500 (retried 3 times with the same transaction_id, then unknown).
    sim.writes.handle = (req, ok) => (recipientOf(req) === 'unk7@shop.example'
      ? Promise.resolve({ status: 500, body: { message: 'Unexpected error occurred', err_code: 'Internal Server Error', status_code: 140109 } })
      : original.handle!(req, ok));
    const first = await call({ ...args, confirm });
    expect(first.r.status).toBe('partial');
    expect(first.r.counts).toEqual({ recipients: 20, succeeded: 19, failed: 0, unknown: 1, pending: 0 });
    expect(first.r.batches).toMatchObject([{ index: 0, state: 'unknown', message: expect.stringMatching(/^19 of 20 accepted, 1 unknown/) }]);

    sim.writes.handle = original.handle!;
    const preview = await call({ ...args, resend_unknown: true });
    expect((preview.r as unknown as { preview: { counts: { recipients: number } } }).preview.counts.recipients).toBe(1);
    const before = informs().length;
    const resent = await call({ ...args, resend_unknown: true, confirm: (preview.r as unknown as { confirm: string }).confirm });
    expect(resent.r).toMatchObject({ status: 'succeeded', counts: { recipients: 1, succeeded: 1 } });
    expect(informs().slice(before).map(recipientOf)).toEqual(['unk7@shop.example']);
    expect([...reached()].filter(([id]) => id.startsWith('unk')).every(([, v]) => v === 1)).toBe(true);
  });
});

/** 250 recipients; the key is revoked after 130 requests reached MoEngage, then fixed; through `via`'s gate and store. */
async function revokedMidSend(tag: string, via: Client): Promise<void> {
  const args = send(tag, 250);
  const confirm = await confirmOf(args, via);
  const before = informs().length;
  const mine = () => [...reached()].filter(([id]) => id.startsWith(tag));
  // The key stops working after 130 requests reached MoEngage (it is revoked while the send runs).
  let seen = 0;
  sim.writes.handle = (req, ok) => original.handle!(req, ok && ++seen <= 130);
  const first = await call({ ...args, confirm }, via);
  const refused = informs().slice(before).filter((q) => q.status === 401).length;
  expect(mine().length).toBe(130);
  expect(first.r.status).toBe('partial');
  // Refused before MoEngage acted counts failed (as a whole batch so refused does); halted before its turn, pending.
  expect(refused).toBeGreaterThan(0);
  expect(first.r.counts).toEqual({ recipients: 250, succeeded: 130, failed: refused, unknown: 0, pending: 120 - refused });
  // The parts run side by side, so each holds some of the 120, and says the same token sends them.
  for (const b of first.r.batches.filter((x) => x.state !== 'succeeded')) expect(b.message).toMatch(/the same token sends them/);
  const sentFirst = informs().length;

  sim.writes.handle = original.handle!;
  const again = await call({ ...args, confirm }, via);
  expect(again.r).toMatchObject({ status: 'succeeded', resumed: true, counts: { recipients: 250, succeeded: 250, pending: 0, unknown: 0, failed: 0 } });
  expect(mine().length).toBe(250);
  expect(mine().every(([, v]) => v === 1)).toBe(true);
  // Only the 120 not accepted went out again: none of the 130 was sent a second time, not even as a duplicate.
  expect(informs().length - sentFirst).toBe(120);
  expect(informs().slice(sentFirst).filter((q) => q.status === 409)).toHaveLength(0);

  // Settled: the same token replays the outcome and sends nothing.
  const replay = await call({ ...args, confirm }, via);
  expect(replay.r).toMatchObject({ status: 'succeeded', counts: { succeeded: 250 } });
  expect(informs().length - sentFirst).toBe(120);
  }

describeRedis('MoEngage Inform through the gate on a Redis store', () => {
  let redisClient: Client;
  let store: RedisStore;
  beforeAll(async () => {
    store = await RedisStore.connect(testRedisUrl(0)!, { prefix: `inform-${randomBytes(4).toString('hex')}:` });
    const gate = new WriteGate(store, new TokenSigner(Buffer.alloc(32, 9)), { ttlMs: 600_000, maxRecipients: 100_000, ask: 'never', concurrency: 4 });
    redisClient = await connectInProcess(createServer({ adapters: [adapter], sandbox: false, store, gate, now: () => new Date() }, allTools, { readOnly: false }));
  });
  afterAll(async () => {
    await redisClient?.close();
    await store?.close();
  });
  it('key revoked mid-send: the same counts, and the same token sends exactly those not accepted', () => revokedMidSend('redis-rev', redisClient));
});
