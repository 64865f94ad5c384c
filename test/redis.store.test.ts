import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startBatchSim } from '../src/sandbox/batch.js';
import { BatchAdapter } from '../src/vendors/batch.js';
import { LocalRateWindows, StartError } from '../src/store.js';
import pino from 'pino';
import { RedisStore } from '../src/store-redis.js';
import { durabilityWarnings } from '../src/store-redis-link.js';
import { loadSharedSecret } from '../src/tokens.js';
import { describeRedis, startRedis, testRedisUrl } from './helpers/redis.js';

const day = (d: number) => new Date(Date.UTC(2026, 10, 22) + d * 86_400_000).toISOString();
const write = (id: string, hash: string, created = 0) => ({
  id, tool: 'send_to_users', vendor: 'clevertap' as const, account: 'default', args_hash: hash, summary: 's', plan: { n: id },
  created_at: day(created), expires_at: new Date(Date.now() + 600_000).toISOString(), parts: 3,
});

describeRedis('RedisStore against a real redis-server', () => {
  const url = testRedisUrl(0)!;
  let a: RedisStore;
  let b: RedisStore;
  let prefix: string;
  beforeAll(async () => {
    prefix = `test-${randomBytes(4).toString('hex')}:`;
    // Two stores on two connections stand for two instances.
    [a, b] = await Promise.all([RedisStore.connect(url, { prefix, leaseMs: 1_000 }), RedisStore.connect(url, { prefix, leaseMs: 1_000 })]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('confirms a write once, whichever instance and however many race', async () => {
    await a.createWrite(write('race', 'h-race'));
    const at = new Date().toISOString();
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consume('race', at)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await b.getWrite('race'))!.confirmed_at).toBe(at);
    expect(await a.consume('no-such-write', at)).toBe(false);
  });

  it('keeps per-part records readable from any instance, and the journal as a stream in order', async () => {
    await a.createWrite(write('w1', 'h-1', 0));
    await b.createWrite(write('w2', 'h-1', 1));
    expect(await a.consume('w1', day(0))).toBe(true);
    await a.recordAttempt('w1', 0, day(0));
    await a.recordOutcome('w1', 0, { t: 'outcome', at: day(0), id: 'w1', part: 0, state: 'succeeded', vendor_ref: 'ref-1' });
    await a.recordAttempt('w1', 1, day(0));
    await a.recordOutcome('w1', 1, { t: 'outcome', at: day(0), id: 'w1', part: 1, state: 'failed', message: '429', not_acted: true });
    const rec = (await b.getWrite('w1'))!;
    expect(rec.plan).toEqual({ n: 'w1' });
    expect(rec.parts.map((p) => p.state)).toEqual(['succeeded', 'failed', 'pending']);
    expect(rec.parts[0]!.vendor_ref).toBe('ref-1');
    expect((await b.findWrites('h-1')).map((r) => r.id)).toEqual(['w2', 'w1']);
    const events = (await b.journal()).filter((e) => ('id' in e ? e.id : e.record.id) === 'w1').map((e) => e.t);
    expect(events).toEqual(['preview', 'confirm', 'attempt', 'outcome', 'attempt', 'outcome']);
  });

  it('never lets two instances attempt one part; a part refused before the vendor acted may go again', async () => {
    await a.createWrite(write('w3', 'h-3'));
    await a.recordAttempt('w3', 0, day(0));
    await expect(b.recordAttempt('w3', 0, day(0))).rejects.toThrow(/already attempted/);
    await a.recordOutcome('w3', 0, { t: 'outcome', at: day(0), id: 'w3', part: 0, state: 'failed', not_acted: true });
    await b.recordAttempt('w3', 0, day(0));
    await expect(a.recordAttempt('w3', 0, day(0))).rejects.toThrow(/already attempted/);
  });

  it('a part with recipients not sent may go again for them; its letters survive the attempt and read back unknown when nobody runs it', async () => {
    await a.createWrite(write('w5', 'h-5'));
    await a.recordAttempt('w5', 0, day(0));
    await a.recordOutcome('w5', 0, { t: 'outcome', at: day(0), id: 'w5', part: 0, state: 'failed', each: 'ssfp', accepted: 2 });
    await expect(b.recordAttempt('w5', 0, day(0))).rejects.toThrow(/already attempted/);
    // Only from the letters as stored: a caller working from a stale record (more to send) is refused.
    await expect(b.recordAttempt('w5', 0, day(0), 'aafa')).rejects.toThrow(/already attempted/);
    await b.recordAttempt('w5', 0, day(0), 'ssfa');
    await expect(a.recordAttempt('w5', 0, day(0), 'ssfa')).rejects.toThrow(/already attempted/);
    expect((await a.getWrite('w5'))!.parts[0]).toMatchObject({ state: 'unknown', each: 'ssfu' });
    await b.recordOutcome('w5', 0, { t: 'outcome', at: day(0), id: 'w5', part: 0, state: 'failed', each: 'ssff' });
    await expect(a.recordAttempt('w5', 0, day(0))).rejects.toThrow(/already attempted/);
    expect((await b.getWrite('w5'))!.parts[0]).toMatchObject({ state: 'failed', each: 'ssff' });
  });

  it('leases: one holder at a time, renewed while held, refused attempts once lost, attempted reads unknown when nobody holds it', async () => {
    await a.createWrite(write('w4', 'h-4'));
    expect(await a.acquireLease('w4', 'A', 120_000)).toBe(true);
    expect(await b.acquireLease('w4', 'B', 120_000)).toBe(false);
    await a.recordAttempt('w4', 0, day(0));
    expect((await b.getWrite('w4'))!.parts[0]!.state).toBe('attempted');
    // Held two and a half lease lengths: the heartbeat keeps it.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await b.acquireLease('w4', 'B', 120_000)).toBe(false);
    await a.releaseLease('w4', 'A');
    expect((await b.getWrite('w4'))!.parts[0]!.state).toBe('unknown');
    expect(await b.acquireLease('w4', 'B', 120_000)).toBe(true);
    // A believed it held the lease: with B holding it now, A's attempts are refused (fencing).
    (a as unknown as { leases: Map<string, string> }).leases.set('w4', 'A');
    await expect(a.recordAttempt('w4', 1, day(0))).rejects.toThrow(/no longer holds the lease/);
    await b.recordAttempt('w4', 1, day(0));
    await b.releaseLease('w4', 'B');
  });

  it('shares listing snapshots, with expiry and a size budget', async () => {
    const small = await RedisStore.connect(url, { prefix: `${prefix}snap:`, maxSnapshotBytes: 1_000 });
    try {
      await small.putSnapshot('s1', { pad: 'x'.repeat(580) }, 60_000);
      await small.putSnapshot('s2', { pad: 'y'.repeat(580) }, 60_000);
      expect(await small.getSnapshot('s1')).toBeUndefined();
      expect(await small.getSnapshot('s2')).toEqual({ pad: 'y'.repeat(580) });
      await a.putSnapshot('short', { n: 1 }, 400);
      expect(await b.getSnapshot('short')).toEqual({ n: 1 });
      await new Promise((r) => setTimeout(r, 600));
      expect(await b.getSnapshot('short')).toBeUndefined();
    } finally {
      await small.close();
    }
  });

  it('reserves rate slots exactly as LocalRateWindows does (same calls, same slots)', async () => {
    const shared = await RedisStore.connect(url, { prefix: `${prefix}prop:`, rateClock: 'caller' });
    try {
      const op = fc.oneof(
        fc.record({ kind: fc.constant('reserve' as const), advance: fc.integer({ min: 0, max: 400 }), interval: fc.constantFrom(0, 7, 100, 250) }),
        fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      );
      let run = 0;
      await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.constantFrom([], [{ limit: 3, ms: 1000 }], [{ limit: 2, ms: 300 }, { limit: 5, ms: 2000 }]), async (ops, windows) => {
        const key = `k${run++}`;
        const local = new LocalRateWindows();
        let now = 1_700_000_000_000;
        const held: number[] = [];
        for (const o of ops) {
          if (o.kind === 'reserve') {
            now += o.advance;
            const [x, y] = [await local.reserve(key, o.interval, now, windows), await shared.rates.reserve(key, o.interval, now, windows)];
            expect(y).toBe(x);
            held.push(x);
          } else if (held.length) {
            const slot = held.splice(o.pick % held.length, 1)[0]!;
            await local.release(key, slot);
            await shared.rates.release(key, slot);
          }
        }
      }), { numRuns: 150 });
    } finally {
      await shared.close();
    }
  });

  it('a slot given back after its window (interval 0, no windows) is forgotten as LocalRateWindows forgets it', async () => {
    // The property's counterexample (found at 4,000 runs): the release came after the reservation's bookkeeping expired.
    const shared = await RedisStore.connect(url, { prefix: `${prefix}late:`, rateClock: 'caller' });
    try {
      const local = new LocalRateWindows();
      const t0 = 1_700_000_000_000;
      const both = async (interval: number, now: number) => [await local.reserve('k', interval, now), await shared.rates.reserve('k', interval, now)];
      const [a] = await both(0, t0);
      await both(0, t0);
      await new Promise((r) => setTimeout(r, 20));
      for (const w of [local, shared.rates]) await w.release('k', a!), await w.release('k', a!);
      const [x, y] = await both(100, t0 + 24);
      expect(y).toBe(x);
      expect(x).toBe(t0 + 24);
    } finally {
      await shared.close();
    }
  });

  it('spaces one key across instances by the server clock, and caps concurrency across them', async () => {
    const trips: number[] = [];
    const slots = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const sent = Date.now();
      const slot = await (i % 2 ? a : b).rates.reserve('pace', 50, sent);
      trips.push(Date.now() - sent);
      return slot;
    }));
    // On the server's clock (the slots it keeps): at least 50 ms apart, whichever instance asked.
    const server = (await (a as unknown as { link: { pipeline(c: string[][]): Promise<unknown[]> } }).link.pipeline([['ZRANGE', `${prefix}rate:pace`, '0', '-1', 'WITHSCORES']]))[0] as string[];
    const kept = server.filter((_, i) => i % 2 === 1).map(Number);
    expect(kept).toHaveLength(8);
    for (let i = 1; i < kept.length; i++) expect(kept[i]! - kept[i - 1]!).toBeGreaterThanOrEqual(50);
    // Read back on this clock, each through its own round trip's offset: a slot lands at most that round trip early
    // (Redis runs here, on the same clock), so the gaps shrink by at most the longest one. (Before: a fixed 40, which a
    // loaded machine's 10+ ms round trips broke.)
    const sorted = [...slots].sort((x, y) => x - y);
    const slack = Math.max(...trips);
    for (let i = 0; i < sorted.length; i++) expect(sorted[i]!).toBeGreaterThanOrEqual(kept[i]! - slack);
    for (let i = 0; i < sorted.length; i++) expect(sorted[i]!).toBeLessThanOrEqual(kept[i]! + 1);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(50 - slack);
    let inFlight = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const release = await (i % 2 ? a : b).slots.acquire('cap', 3);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
      release();
    }));
    expect(most).toBe(3);
  });

  it('a short-lived snapshot put after a long-lived one (an audit report) leaves that one in the budget: the index lives as long as its longest entry', async () => {
    const p = `test-${randomBytes(4).toString('hex')}:`;
    const s = await RedisStore.connect(url, { prefix: p });
    try {
      await s.putSnapshot('report', { findings: [] }, 60_000);
      await s.putSnapshot('listing', { campaigns: [] }, 150);
      await new Promise((r) => setTimeout(r, 400));
      const link = (s as unknown as { link: { pipeline(c: string[][]): Promise<unknown[]> } }).link;
      const [score, size, ttl] = await link.pipeline([['ZSCORE', `${p}snaps`, 'report'], ['HGET', `${p}snapsz`, 'report'], ['PTTL', `${p}snaps`]]);
      expect(score).not.toBeNull();
      expect(size).not.toBeNull();
      expect(Number(ttl)).toBeGreaterThan(50_000);
      expect(await s.getSnapshot('report')).toEqual({ findings: [] });
    } finally {
      await s.close();
    }
  });

  it('a rate hold set through one instance holds the key on the other, as LocalRateWindows holds it: the later hold stands, then it lapses', async () => {
    const p = `test-${randomBytes(4).toString('hex')}:`;
    const [x, y] = await Promise.all([RedisStore.connect(url, { prefix: p, rateClock: 'caller' }), RedisStore.connect(url, { prefix: p, rateClock: 'caller' })]);
    const local = new LocalRateWindows();
    try {
      const t0 = Date.now();
      const steps = async (set: (k: string, ms: number, now: number) => Promise<void>, read: (k: string, now: number) => Promise<number>) => {
        await set('k', 5_000, t0);
        const seen = [await read('k', t0), await read('k', t0 + 3_000), await read('other', t0)];
        await set('k', 1_000, t0 + 1_000); // ends before the one standing: no change
        seen.push(await read('k', t0 + 1_000));
        await set('k', 9_000, t0 + 1_000); // ends after it: it stands
        seen.push(await read('k', t0 + 4_000), await read('k', t0 + 10_000));
        return seen;
      };
      const expected = [5_000, 2_000, 0, 4_000, 6_000, 0];
      expect(await steps((k, ms, now) => x.rates.hold(k, ms, now), (k, now) => y.rates.held(k, now))).toEqual(expected);
      expect(await steps((k, ms, now) => local.hold(k, ms, now), (k, now) => local.held(k, now))).toEqual(expected);
    } finally {
      await x.close();
      await y.close();
    }
  });

  it('after Batch\'s 429 to one instance, another instance sending to the same app waits out the 5 s too', async () => {
    const p = `test-${randomBytes(4).toString('hex')}:`;
    const fast = fastClock(20);
    const [x, y] = await Promise.all([RedisStore.connect(url, { prefix: p, rateClock: 'caller' }), RedisStore.connect(url, { prefix: p, rateClock: 'caller' })]);
    const sim = await startBatchSim({ seed: 3, count: 20, rateLimit: false, clock: fast });
    const clients = [x, y].map((s) => new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast, rates: s.rates, slots: s.slots }));
    const [first, second] = clients.map((http) => new BatchAdapter({ account: 'main', ...sim.credentials, baseUrl: sim.url }, http));
    try {
      sim.faults.burst429 = 1;
      sim.faults.retryAfterSec = 1;
      const holding = vi.spyOn(clients[0]!, 'holdFor');
      const listed = first!.listCampaigns({});
      // Instance one has heard the 429 and recorded its hold: only then does instance two send.
      await vi.waitFor(() => expect(holding).toHaveBeenCalled(), { timeout: 10_000, interval: 2 });
      await holding.mock.results[0]!.value;
      await Promise.all([listed, second!.listCampaigns({})]);
      const [refused, ...after] = sim.requests;
      expect(refused!.status).toBe(429);
      expect(after.length).toBeGreaterThanOrEqual(2);
      for (const r of after) expect(r.at - refused!.at).toBeGreaterThanOrEqual(5_000);
    } finally {
      for (const h of clients) await h.close();
      await sim.close();
      await x.close();
      await y.close();
    }
  });

  it('shares one generated signing secret, and refuses an instance whose secret differs', async () => {
    const [x, y] = await Promise.all([loadSharedSecret(undefined, a), loadSharedSecret(undefined, b)]);
    expect(x.equals(y)).toBe(true);
    await expect(loadSharedSecret('another secret', b)).rejects.toThrow(StartError);
  });

  it('warns at start that this Redis keeps no append-only file (the test Redis runs with appendonly no), once, naming no password', async () => {
    // A Redis of its own that asks for a password (as redis.crash does), so the warning has one to leave out.
    const PW = 'fxa-store-pw-7c41d9';
    const own = await startRedis(['--requirepass', PW]);
    try {
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
      const s = await RedisStore.connect(`redis://:${PW}@127.0.0.1:${own.port}/0`, { prefix, logger });
      await s.close();
      const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; redis: string });
      expect(warnings.map((w) => [w.level, w.msg])).toEqual([[40, expect.stringMatching(/^Redis keeps no append-only file \(appendonly no\).*appendonly yes$/)]]);
      expect(warnings[0]!.redis).toBe(`redis://:***@127.0.0.1:${own.port}/0`);
      for (const l of lines) expect(l).not.toContain(PW);
    } finally {
      await own.stop();
    }
  });

  it('does not start against an unreachable Redis, and never says its password', async () => {
    const t0 = Date.now();
    const err = (await RedisStore.connect('redis://:hunter2-password@127.0.0.1:1/0').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(StartError);
    expect(err.message).toContain('127.0.0.1:1');
    expect(err.message).not.toContain('hunter2');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('durabilityWarnings (Redis INFO persistence and memory, as redis-server 7 prints them)', () => {
  const info = (aof: 0 | 1, maxmemory: number, policy: string) =>
    `# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:0\r\nrdb_last_save_time:1796181125\r\naof_enabled:${aof}\r\naof_rewrite_in_progress:0\r\n\n# Memory\r\nused_memory:1000\r\nmaxmemory:${maxmemory}\r\nmaxmemory_human:100.00M\r\nmaxmemory_policy:${policy}\r\n`;
  it('nothing for an append-only file and no eviction', () => {
    expect(durabilityWarnings(info(1, 104857600, 'noeviction'))).toEqual([]);
    expect(durabilityWarnings(info(1, 0, 'allkeys-lru'))).toEqual([]); // no maxmemory: nothing is evicted
  });
  it('one sentence each for no append-only file and an evicting policy under a memory cap', () => {
    const w = durabilityWarnings(info(0, 104857600, 'allkeys-lru'));
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/appendonly no/);
    expect(w[1]).toBe('Redis may evict keys when it reaches maxmemory (maxmemory-policy allkeys-lru): a preview, a batch record or the journal could be dropped; set maxmemory-policy noeviction');
    expect(durabilityWarnings(info(1, 104857600, 'volatile-ttl'))).toHaveLength(1);
  });
  it('nothing it cannot read (INFO refused): no guess', () => {
    expect(durabilityWarnings('')).toEqual([]);
  });
});
