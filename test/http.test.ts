import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpClient } from '../src/http.js';
import { parseRetryAfter } from '../src/http-errors.js';
import { mapLimit, virtualClock } from '../src/concurrency.js';
import { LocalRateWindows, LocalSlots } from '../src/store.js';
import { RateWindowHeld, VendorError } from '../src/errors.js';
import { deadlineSignal, endOf, joinSignals } from '../src/deadline.js';
import { fastClock } from '../src/clock.js';
import { serveSim, type RunningSim } from '../src/sandbox/sim.js';

let sim: RunningSim;
let answers: Array<{ status: number; body?: unknown; raw?: string; headers?: Record<string, string> }> = [];
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 });

beforeAll(async () => {
  sim = await serveSim(() => answers.shift() ?? { status: 200, body: { ok: true } });
});
afterAll(async () => {
  await sim.close();
  await http.close();
});

const req = (kind: 'read' | 'write', extra = {}) => ({ vendor: 'batch' as const, method: 'POST' as const, url: `${sim.url}/x`, body: { a: 1 }, kind, ...extra });

describe('HttpClient', () => {
  it('retries a read on 5xx and returns the success', async () => {
    answers = [{ status: 500 }, { status: 503 }, { status: 200, body: { n: 3 } }];
    const before = sim.requests.length;
    const res = await http.send(req('read'));
    expect(res.body).toEqual({ n: 3 });
    expect(sim.requests.length - before).toBe(3);
  });

  it('never resends a write after a 5xx: the outcome is unknown', async () => {
    answers = [{ status: 502 }, { status: 200 }];
    const before = sim.requests.length;
    const err = await http.send(req('write')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect((err as VendorError).outcome).toBe('unknown');
    expect(sim.requests.length - before).toBe(1);
    answers = [];
  });

  it('retries a write after a 429 (the vendor refused it) and honours Retry-After', async () => {
    const clock = virtualClock();
    const virtual = new HttpClient({ baseDelayMs: 5, ...clock });
    answers = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 201, body: { id: 'x' } }];
    const before = sim.requests.length;
    const res = await virtual.send(req('write'));
    expect(res.status).toBe(201);
    expect(Math.max(...clock.slept)).toBeGreaterThanOrEqual(1000);
    expect(sim.requests.length - before).toBe(2);
    await virtual.close();
  });

  it('waits the documented minimum after a 429 even without Retry-After', async () => {
    const clock = virtualClock();
    const virtual = new HttpClient({ baseDelayMs: 5, ...clock });
    answers = [{ status: 429 }, { status: 200 }];
    await virtual.send(req('read', { minWaitAfter429Ms: 300 }));
    expect(Math.max(...clock.slept)).toBeGreaterThanOrEqual(300);
    await virtual.close();
  });

  it('does not wait out an overlong Retry-After: it says when to retry', async () => {
    const short = new HttpClient({ baseDelayMs: 5, maxRetryAfterMs: 1000 });
    answers = [{ status: 429, headers: { 'retry-after': '120' } }];
    const err = (await short.send(req('read')).catch((e: unknown) => e)) as VendorError;
    expect(err.status).toBe(429);
    expect(err.hint).toContain('120 s');
    await short.close();
  });

  it('a 429 without Retry-After waits for its x-ratelimit-reset (seconds, or epoch seconds), and holds the key that long', async () => {
    const clock = virtualClock();
    const virtual = new HttpClient({ baseDelayMs: 5, maxRetryAfterMs: 30_000, ...clock });
    const before = sim.requests.length;
    // Seconds until the reset, past what a call waits: no retry, and the error says when the window frees.
    answers = [{ status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '40' } }];
    const err = (await virtual.send(req('read', { hold: 'moe' })).catch((e: unknown) => e)) as VendorError;
    expect(err).toMatchObject({ status: 429, retryAfterMs: 40_000 });
    expect(err.hint).toContain('wait 40 s');
    expect(sim.requests.length - before).toBe(1);
    // The key stays held (to maxHoldMs, here 30 s): the next call waits before it sends.
    answers = [{ status: 200, body: { ok: true } }];
    await virtual.send(req('read', { hold: 'moe' }));
    expect(clock.slept).toContain(30_000);
    // Epoch seconds 12 s ahead: waited, then retried.
    clock.slept.length = 0;
    answers = [{ status: 429, headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 12) } }, { status: 200, body: { ok: true } }];
    await virtual.send(req('read'));
    expect(Math.max(...clock.slept)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...clock.slept)).toBeLessThanOrEqual(12_000);
    // Epoch milliseconds 8 s ahead: the same wait, not one of decades.
    clock.slept.length = 0;
    answers = [{ status: 429, headers: { 'x-ratelimit-reset': String(Date.now() + 8_000) } }, { status: 200, body: { ok: true } }];
    await virtual.send(req('read'));
    expect(Math.max(...clock.slept)).toBeGreaterThanOrEqual(6_000);
    expect(Math.max(...clock.slept)).toBeLessThanOrEqual(8_000);
    await virtual.close();
  });

  it('a 429 holds the requests already queued behind the concurrency cap, not only those that start after it', async () => {
    // Six reads under one cap of 1: the first is refused while five wait their turn. Batch's "wait at least 5 s" binds all.
    const quick = fastClock(50);
    let first = true;
    const own = await serveSim(() => (first ? ((first = false), { status: 429 }) : { status: 200, body: { ok: true } }), { clock: quick });
    const client = new HttpClient({ baseDelayMs: 5, clock: quick });
    try {
      const one = () => client.send({ ...req('read', { hold: 'app', minWaitAfter429Ms: 5_000 }), url: `${own.url}/x`, concurrency: { key: 'app', max: 1 } });
      await Promise.all(Array.from({ length: 6 }, one));
      const [refused, ...rest] = own.requests;
      expect(refused!.status).toBe(429);
      expect(rest).toHaveLength(6);
      for (const r of rest) expect(r.at - refused!.at).toBeGreaterThanOrEqual(5_000);
    } finally {
      await client.close();
      await own.close();
    }
  });

  it('an idempotent write halted during its backoff after a 500 is unknown (the 500 may have acted), not "not sent"', async () => {
    const slow = new HttpClient({ baseDelayMs: 2_000, maxDelayMs: 2_000 });
    const halt = new AbortController();
    answers = [{ status: 500 }];
    const before = sim.requests.length;
    try {
      const sent = slow.send(req('write', { idempotent: true, beforeSend: halt.signal })).catch((e: unknown) => e);
      await vi.waitFor(() => expect(sim.requests.length).toBe(before + 1), { timeout: 5_000, interval: 5 });
      halt.abort();
      const err = (await sent) as VendorError;
      expect(err).toMatchObject({ outcome: 'unknown', notSent: false });
      expect(err.message).toMatch(/^an earlier attempt may have acted/);
      expect(sim.requests.length).toBe(before + 1);
    } finally {
      await slow.close();
    }
  });

  it('turns an HTML error page into a clear VendorError', async () => {
    answers = [{ status: 404, raw: '<html><body>Not Found</body></html>' }];
    const err = (await http.send(req('read')).catch((e: unknown) => e)) as VendorError;
    expect(err.message).toMatch(/HTML page/);
    expect(err.status).toBe(404);
  });

  it('uses the vendor describe() for the message', async () => {
    answers = [{ status: 401, body: { status: 'fail', error: 'Invalid Credentials', code: 401 } }];
    const err = (await http.send(req('read', { describe: (_s: number, b: any) => ({ message: b.error, code: b.code, hint: 'Check the keys.' }) })).catch((e: unknown) => e)) as VendorError;
    expect(err.message).toBe('Invalid Credentials');
    expect(err.hint).toBe('Check the keys.');
    expect(err.retryable).toBe(false);
  });

  it('paces requests sharing a key', async () => {
    answers = [];
    const before = sim.requests.length;
    await Promise.all([0, 1, 2].map(() => http.send(req('read', { pace: { key: 'p', intervalMs: 200 } }))));
    const times = sim.requests.slice(before).map((r) => r.at).sort((a, b) => a - b);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(380);
  });

  it('caps concurrency per key', async () => {
    answers = [];
    sim.faults.latencyMs = 60;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => http.send(req('read', { concurrency: { key: 'c', max: 2 } }))));
    sim.faults.latencyMs = 0;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(170);
  });

  it('retries a read that times out, then reports it clearly; a timed-out write is unknown and sent once', async () => {
    const impatient = new HttpClient({ baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 100, retries: 2 });
    answers = [];
    sim.faults.latencyMs = 300;
    try {
      let before = sim.requests.length;
      const read = (await impatient.send(req('read')).catch((e: unknown) => e)) as VendorError;
      expect(read.message).toMatch(/no answer within/);
      await new Promise((r) => setTimeout(r, 350));
      expect(sim.requests.length - before).toBe(3);
      before = sim.requests.length;
      const write = (await impatient.send(req('write')).catch((e: unknown) => e)) as VendorError;
      expect(write.outcome).toBe('unknown');
      await new Promise((r) => setTimeout(r, 350));
      expect(sim.requests.length - before).toBe(1);
    } finally {
      sim.faults.latencyMs = 0;
      await impatient.close();
    }
  });

  it('paces requests that queued behind the concurrency cap (no burst when a slot frees)', async () => {
    answers = [];
    sim.faults.latencyMs = 150;
    const before = sim.requests.length;
    const slow = http.send(req('read', { concurrency: { key: 'pq', max: 1 } }));
    await new Promise((r) => setTimeout(r, 20));
    sim.faults.latencyMs = 0;
    const paced = [0, 1].map(() => http.send(req('read', { concurrency: { key: 'pq', max: 1 }, pace: { key: 'pq-pace', intervalMs: 300 } })));
    await Promise.all([slow, ...paced]);
    const times = sim.requests.slice(before).map((r) => r.at).sort((a, b) => a - b);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(250);
  });

  it('retries a read whose 2xx body says 429 or 5xx (errors inside a 200 envelope)', async () => {
    answers = [{ status: 200, body: { error: 429, error_text: 'too many' } }, { status: 200, body: { error: 0, data: [1] } }];
    const classify = (b: any) => (b?.error ? Number(b.error) : undefined);
    const res = await http.send(req('read', { classify }));
    expect(res.body).toEqual({ error: 0, data: [1] });
    // No retry due: thrown at its effective status, worded by describe; a write's 5xx-in-200 is unknown.
    answers = [{ status: 200, body: { error: 400, error_text: 'bad field' } }];
    const before = sim.requests.length;
    const describe = (_s: number, b: any) => ({ message: String(b?.error_text) });
    await expect(http.send(req('read', { classify, describe }))).rejects.toMatchObject({ status: 400, message: 'bad field', outcome: 'failed' });
    expect(sim.requests.length - before).toBe(1);
    answers = [{ status: 200, body: { error: 500, error_text: 'boom' } }];
    await expect(http.send(req('write', { classify, describe }))).rejects.toMatchObject({ status: 500, outcome: 'unknown', retryable: false });
  });

  it('after a 429, other requests sharing the hold key wait too', async () => {
    answers = [{ status: 429 }, { status: 200 }, { status: 200 }];
    const before = sim.requests.length;
    const holding = vi.spyOn(http, 'holdFor');
    try {
      const first = http.send(req('read', { hold: 'h', minWaitAfter429Ms: 400 }));
      // The 429 answered and read, so the hold is set (before: a fixed 50 ms, which a loaded machine can outlast).
      await vi.waitFor(() => expect(holding).toHaveBeenCalledWith('h', expect.any(Number)), { timeout: 5_000, interval: 5 });
      await Promise.all([first, http.send(req('read', { hold: 'h' }))]);
    } finally {
      holding.mockRestore();
    }
    const seen = sim.requests.slice(before);
    expect(seen[0]!.status).toBe(429);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(380);
    expect(seen[2]!.at - seen[0]!.at).toBeGreaterThanOrEqual(380);
  });

  it('a write cancelled while waiting for its pace slot was never sent, and is not called unknown', async () => {
    answers = [];
    // A pace long enough that the abort, 50 ms in, lands while the write waits however late its timer fires.
    await http.send(req('read', { pace: { key: 'wp', intervalMs: 10_000 } }));
    const before = sim.requests.length;
    const ac = new AbortController();
    const pending = http.send(req('write', { pace: { key: 'wp', intervalMs: 10_000 }, signal: ac.signal }));
    setTimeout(() => ac.abort(), 50);
    const err = await pending.catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(VendorError);
    expect((err as Error).name).toBe('AbortError');
    expect(sim.requests.length).toBe(before);
  });

  it('an unknown write outcome is not retryable and says to check before resending', async () => {
    answers = [{ status: 500 }];
    const err = (await http.send(req('write')).catch((e: unknown) => e)) as VendorError;
    expect(err).toMatchObject({ outcome: 'unknown', retryable: false });
    expect(err.hint).toMatch(/check in the vendor before sending it again/);
  });

  it('reports a refused connection as not sent', async () => {
    const err = (await http.send({ ...req('write'), url: 'http://127.0.0.1:1/x' }).catch((e: unknown) => e)) as VendorError;
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ outcome: 'failed', notSent: true });
  });
});

describe('bounds', () => {
  it('refuses a body over the cap without retrying it as a network fault, declared or streamed', async () => {
    const small = new HttpClient({ baseDelayMs: 1, maxBodyBytes: 1000 });
    for (const reply of [{ status: 200, raw: 'x'.repeat(5000) }, { status: 200, body: { pad: 'y'.repeat(5000) } }]) {
      answers = [reply];
      const before = sim.requests.length;
      const err = (await small.send(req('read')).catch((e: unknown) => e)) as VendorError;
      expect(err).toMatchObject({ code: 'BODY_TOO_LARGE', retryable: false });
      expect(err.message).toMatch(/more than the 0 MB read per request/);
      expect(sim.requests.length - before).toBe(1);
    }
    await small.close();
  });

  it('caps a hold where it is stored: Retry-After 999999 holds later calls for maxHoldMs at most', async () => {
    const clock = virtualClock();
    const held = new HttpClient({ baseDelayMs: 1, maxHoldMs: 2_000, ...clock });
    answers = [{ status: 429, headers: { 'retry-after': '999999' } }];
    await expect(held.send(req('read', { hold: 'ra' }))).rejects.toMatchObject({ status: 429 });
    answers = [{ status: 200, body: { ok: 1 } }];
    const before = sim.requests.length;
    await held.send(req('read', { hold: 'ra' }));
    // The later call really was held, and for the cap, not the 999999 s the vendor asked.
    expect(clock.slept).toEqual([2_000]);
    expect(sim.requests.length).toBe(before + 1);
    await held.close();
  });

  describe('a read cut while a rate limit holds it says so, and when it frees', () => {
    /** Virtual time where short waits pass at once and a long one (a used-up window) holds until aborted. */
    const holdingClock = () => {
      let t = Date.now();
      return {
        now: () => t,
        sleep: (ms: number, signal?: AbortSignal) => ms < 5_000
          ? Promise.resolve(void (t += Math.max(0, ms)))
          : new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })),
      };
    };

    it('by the documented window it paces to', async () => {
      const held = new HttpClient({ clock: holdingClock() });
      const pace = { key: 'win', intervalMs: 10, windows: [{ limit: 2, ms: 60_000 }] };
      answers = [];
      await held.send(req('read', { pace }));
      await held.send(req('read', { pace }));
      const before = sim.requests.length;
      const err = await held.send(req('read', { pace, signal: AbortSignal.timeout(50) })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect((err as VendorError).message).toMatch(/^the vendor's rate window \(2 requests a minute\) was used up by earlier calls and frees in about (59|60) s, after this call's deadline; nothing was sent$/);
      expect(err).toMatchObject({ notSent: true, hint: expect.stringMatching(/^Try again in (59|60) s\.$/) });
      expect(sim.requests.length).toBe(before);
      // A write is never renamed: its not-sent handling stays the gate's.
      const write = await held.send(req('write', { pace, signal: AbortSignal.timeout(50) })).catch((e: unknown) => e);
      expect((write as Error).message).not.toMatch(/rate window/);
      await held.close();
    });

    it("by the vendor's own answer (a 429 with Retry-After)", async () => {
      const held = new HttpClient({ clock: holdingClock(), maxRetryAfterMs: 10_000, maxHoldMs: 60_000 });
      answers = [{ status: 429, headers: { 'retry-after': '30' } }];
      await expect(held.send(req('read', { hold: 'h429' }))).rejects.toMatchObject({ status: 429 });
      const err = await held.send(req('read', { hold: 'h429', signal: AbortSignal.timeout(50) })).catch((e: unknown) => e);
      expect((err as VendorError).message).toMatch(/^the vendor's rate limit was reached \(its last answer said so\) and frees in about 30 s/);
      await held.close();
    });

    describe('known at once: a wait that outlasts the call\'s deadline is never started', () => {
      /** holdingClock, recording every wait asked of it. */
      const recording = () => {
        const base = holdingClock();
        const waited: number[] = [];
        return { waited, clock: { now: base.now, sleep: (ms: number, signal?: AbortSignal) => (waited.push(ms), base.sleep(ms, signal)) } };
      };

      it('a used-up window that frees after the deadline: refused before any wait, nothing sent', async () => {
        const { waited, clock } = recording();
        const held = new HttpClient({ clock });
        const pace = { key: 'early', intervalMs: 10, windows: [{ limit: 2, ms: 60_000 }] };
        answers = [];
        await held.send(req('read', { pace }));
        await held.send(req('read', { pace }));
        const before = sim.requests.length;
        // Without the deadline known, this read would hold (holdingClock) until the 5 s deadline aborted it.
        const err = await held.send(req('read', { pace, signal: deadlineSignal(5_000) })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RateWindowHeld);
        expect((err as VendorError).message).toMatch(/^the vendor's rate window \(2 requests a minute\) was used up by earlier calls and frees in about (59|60) s, after this call's deadline; nothing was sent$/);
        expect(waited.filter((ms) => ms >= 5_000)).toEqual([]);
        expect(sim.requests.length).toBe(before);
        // Its slot was given back: the window still has exactly the two it sent.
        // Refused again and again, it still frees in a minute: two leaked slots would fill the next window (120 s).
        for (let k = 0; k < 3; k++) {
          const again = await held.send(req('read', { pace, signal: deadlineSignal(5_000) })).catch((e: unknown) => e);
          expect((again as VendorError).message).toMatch(/frees in about (59|60) s/);
        }
        await held.close();
      });

      it("a 429's Retry-After past the deadline: refused before any wait", async () => {
        const { waited, clock } = recording();
        const held = new HttpClient({ clock, maxRetryAfterMs: 10_000, maxHoldMs: 60_000 });
        answers = [{ status: 429, headers: { 'retry-after': '30' } }];
        await expect(held.send(req('read', { hold: 'e429' }))).rejects.toMatchObject({ status: 429 });
        const err = await held.send(req('read', { hold: 'e429', signal: joinSignals([new AbortController().signal, deadlineSignal(5_000)]) })).catch((e: unknown) => e);
        expect((err as VendorError).message).toMatch(/^the vendor's rate limit was reached \(its last answer said so\) and frees in about 30 s/);
        expect(waited.filter((ms) => ms >= 5_000)).toEqual([]);
        await held.close();
      });

      it('a window that frees before the deadline is waited for, on the clock\'s own time', async () => {
        const waited: number[] = [];
        // Time moves only when slept (so no load can use the window up), at fastClock's rate: its realMs is the one judged.
        const f = fastClock(10_000);
        let t = Date.now();
        const held = new HttpClient({ clock: { now: () => t, sleep: async (ms: number) => void (waited.push(ms), (t += Math.max(0, ms))), realMs: f.realMs } });
        // An hour on a clock 10,000 times faster than wall time is 0.36 s of real time: within the 5 s deadline.
        const pace = { key: 'fits', intervalMs: 10, windows: [{ limit: 2, ms: 3_600_000 }] };
        answers = [];
        await held.send(req('read', { pace }));
        await held.send(req('read', { pace }));
        // Within a 5 s deadline in real time (not in the clock's), so it waits and sends.
        await expect(held.send(req('read', { pace, signal: deadlineSignal(5_000) }))).resolves.toMatchObject({ status: 200 });
        expect(Math.max(...waited)).toBeGreaterThan(1_800_000);
        await held.close();
      });

      it('a joined signal ends with the earliest of its parts; one without a deadline never does', () => {
        const soon = deadlineSignal(1_000);
        const later = deadlineSignal(60_000);
        expect(endOf(joinSignals([later, soon, new AbortController().signal]))).toBe(endOf(soon));
        expect(endOf(joinSignals([joinSignals([later]), new AbortController().signal]))).toBe(endOf(later));
        expect(endOf(AbortSignal.timeout(1_000))).toBe(Infinity);
        expect(endOf(undefined)).toBe(Infinity);
      });
    });

    it("an abort during the usual spacing is the caller's own reason", async () => {
      const held = new HttpClient({ clock: holdingClock() });
      const ac = new AbortController();
      ac.abort(new Error('cancelled'));
      const err = await held.send(req('read', { pace: { key: 'sp', intervalMs: 10, windows: [{ limit: 5, ms: 60_000 }] }, signal: ac.signal })).catch((e: unknown) => e);
      expect((err as Error).message).toBe('cancelled');
      await held.close();
    });
  });

  it('a call cancelled while paced or queued gives back its reservation and its place', async () => {
    const rates = new LocalRateWindows();
    const paced = new HttpClient({ rates });
    answers = [];
    sim.faults.latencyMs = 100;
    const ac = new AbortController();
    const pace = { key: 'gb', intervalMs: 1_000 };
    const first = paced.send(req('read', { pace, concurrency: { key: 'gb', max: 1 } }));
    const abandoned = Array.from({ length: 50 }, () => paced.send(req('read', { pace, concurrency: { key: 'gb', max: 1 }, signal: ac.signal })).catch((e: unknown) => e));
    for (const t0 = Date.now(); rates.pending('gb', Date.now()) < 50 && Date.now() - t0 < 2_000;) await new Promise((r) => setTimeout(r, 5));
    expect(rates.pending('gb', Date.now())).toBe(50);
    ac.abort();
    await Promise.all(abandoned);
    await first;
    sim.faults.latencyMs = 0;
    expect(rates.pending('gb', Date.now())).toBe(0);
    // The next call is spaced from the last request sent (at most the 1 s pace), not from 50 abandoned reservations
    // (50 s): the bound leaves a loaded machine its slowness and still tells the two apart.
    const t0 = Date.now();
    await paced.send(req('read', { pace }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    await paced.close();
  });

  it('a timed-out read says how long it was really tried, over every attempt', async () => {
    const impatient = new HttpClient({ baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 60, retries: 2 });
    sim.faults.latencyMs = 200;
    const err = (await impatient.send(req('read')).catch((e: unknown) => e)) as VendorError;
    sim.faults.latencyMs = 0;
    expect(err.message).toMatch(/no answer within 0.1 s \(3 attempts over 0\.\d s\)/);
    await impatient.close();
  });
});

describe('helpers', () => {
  it('parses Retry-After in seconds and as a date', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
  it('mapLimit keeps order and bounds concurrency', async () => {
    let inFlight = 0;
    let max = 0;
    const out = await mapLimit([1, 2, 3, 4, 5], 2, async (n) => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10]);
    expect(max).toBe(2);
  });
});

describe('beforeSend: a write stopped while it waits its turn is not sent', () => {
  it('granted its slot in the same moment as the halt: not sent, onSend never runs', async () => {
    const slots = new LocalSlots();
    const client = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, slots });
    try {
      const held = await slots.acquire('k', 1);
      const halt = new AbortController();
      let journaled = 0;
      const before = sim.requests.length;
      const waiting = client.send(req('write', { concurrency: { key: 'k', max: 1 }, beforeSend: halt.signal, onSend: async () => void journaled++ })).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 10));
      // The slot is handed on and the write halted in one synchronous step: the grant is already resolved when the halt lands.
      held();
      halt.abort();
      const err = (await waiting) as VendorError;
      expect(err).toBeInstanceOf(VendorError);
      expect(err.notSent).toBe(true);
      expect(journaled).toBe(0);
      expect(sim.requests.length).toBe(before);
    } finally {
      await client.close();
    }
  });
});
