import { setMaxListeners } from 'node:events';
import { joinSignals } from './deadline.js';
/** A counting semaphore: at most `max` holders at once, the rest wait in order; a cancelled waiter leaves the queue. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];
  constructor(private readonly max: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason;
    if (this.active >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const entry = { grant: () => (signal?.removeEventListener('abort', onAbort), resolve()) };
        const onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(entry);
      });
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.grant();
    };
  }

  /** Holders and waiters, for tests that check a cancelled call left nothing behind. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}

/** Map over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Sleep that wakes early (and rejects) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A clock for tests: `sleep` advances virtual time instantly, `now` reads it; nothing waits on real time. */
export function virtualClock(start = Date.now()): { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void>; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    slept,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      t += Math.max(0, ms);
      await Promise.resolve();
    },
  };
}

/** Promise.all over tasks sharing one signal: when one fails, the others are cancelled rather than sent for nothing. */
export async function allOrCancel<T extends unknown[]>(
  signal: AbortSignal | undefined,
  tasks: { [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> },
): Promise<T> {
  const local = new AbortController();
  const shared = signal ? joinSignals([signal, local.signal]) : local.signal;
  try {
    return (await Promise.all(tasks.map((t) => t(shared)))) as T;
  } catch (err) {
    local.abort();
    throw err;
  }
}

/**
 * A fan-out that fails as a whole on its first failure: `signal` (joined with the caller's, any number of listeners:
 * every queued request listens) aborts the rest, so requests still queued are never sent; `fail` rethrows that
 * first error, whichever promise settles first.
 */
export function firstFailure(parent?: AbortSignal): { signal: AbortSignal; failed: () => boolean; fail: (err: unknown) => never } {
  const stop = new AbortController();
  const signal = parent ? joinSignals([parent, stop.signal]) : stop.signal;
  setMaxListeners(0, signal);
  let first: { err: unknown } | undefined;
  return {
    signal,
    failed: () => first !== undefined,
    fail: (err) => {
      first ??= { err };
      stop.abort();
      throw first.err;
    },
  };
}
