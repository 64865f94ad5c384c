import { sleep } from './concurrency.js';

/**
 * Where pacing, backoff and rate windows read the time and wait: the HTTP client, the writers and the
 * simulators share one, so tests can run the vendors' documented waits faster without skipping them.
 */
export interface Clock {
  /** Milliseconds since the epoch (or the clock's own origin). */
  now(): number;
  /** Wait `ms` on this clock; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** How many real milliseconds a wait of `ms` on this clock lasts (absent: `ms`), to tell whether it ends before a deadline. */
  realMs?(ms: number): number;
}

/** Wall time: what the product always uses. */
export const realClock: Clock = { now: () => Date.now(), sleep };

/**
 * A clock running `factor` times faster than wall time, from `start` (default now): a 1 s pace takes
 * 1000/factor real ms. Order and concurrency stay real (nothing jumps), so what a simulator records on
 * it is what the vendor would see, scaled; latency and event-loop lag are scaled too, so keep the
 * factor modest where several requests race a window.
 */
export function fastClock(factor: number, start = Date.now()): Clock & { factor: number } {
  const origin = performance.now();
  return {
    factor,
    now: () => start + (performance.now() - origin) * factor,
    sleep: (ms, signal) => sleep(Math.max(0, ms) / factor, signal),
    realMs: (ms) => ms / factor,
  };
}
