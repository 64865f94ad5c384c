import { realClock, type Clock } from '../clock.js';
import type { SimReply } from './sim.js';

/** Fault knobs that touch only a simulator's write endpoints, so previews and reads stay healthy. */
export interface WriteFaults {
  /** The next N writes get a 429 with Retry-After, before the vendor acts. */
  throttle: number;
  /** Retry-After seconds sent with `throttle`. */
  retryAfterSec: number;
  /** The next N writes get a 5xx, before the vendor acts (the client cannot tell that it did not). */
  fail5xx: number;
  /** The next N writes lose their connection before the vendor acts. */
  dropBefore: number;
  /** The next N writes are acted on, then lose their connection before the answer. */
  dropAfter: number;
  /** Every write is acted on, then answered this many ms late. */
  slowMs: number;
}

/** No faults. */
export function noWriteFaults(): WriteFaults {
  return { throttle: 0, retryAfterSec: 1, fail5xx: 0, dropBefore: 0, dropAfter: 0, slowMs: 0 };
}

/**
 * Run one write through the knobs: a throttle, 5xx or early drop answers without acting; otherwise `act`
 * runs and its answer may still be dropped or delayed. `throttled`/`failed` build the vendor's own envelopes.
 */
export async function withWriteFaults(
  f: WriteFaults,
  act: () => SimReply,
  envelopes: { throttled: () => SimReply; failed: () => SimReply },
): Promise<SimReply> {
  if (f.throttle > 0) {
    f.throttle--;
    const r = envelopes.throttled();
    return { ...r, headers: { ...r.headers, 'retry-after': String(f.retryAfterSec) } };
  }
  if (f.dropBefore > 0) {
    f.dropBefore--;
    return { status: 0, drop: true };
  }
  if (f.fail5xx > 0) {
    f.fail5xx--;
    return envelopes.failed();
  }
  const reply = act();
  if (reply.status < 300 && f.dropAfter > 0) {
    f.dropAfter--;
    return { status: 0, drop: true };
  }
  if (f.slowMs > 0) await new Promise((r) => setTimeout(r, f.slowMs));
  return reply;
}

/** Sliding-window counters: `take` says how long until a slot is free (0 = taken now). */
export class Windows {
  private readonly log: number[] = [];
  constructor(private readonly windows: ReadonlyArray<{ max: number; ms: number }>, private readonly clock: Clock = realClock) {}

  /** Milliseconds to wait before one more event fits every window; records the event when it fits now. */
  take(now = this.clock.now(), record = true): number {
    const longest = Math.max(...this.windows.map((w) => w.ms));
    while (this.log.length && this.log[0]! <= now - longest) this.log.shift();
    let wait = 0;
    for (const w of this.windows) {
      const inside = this.log.filter((t) => t > now - w.ms);
      if (inside.length >= w.max) wait = Math.max(wait, inside[inside.length - w.max]! + w.ms - now);
    }
    if (wait === 0 && record) this.log.push(now);
    return wait;
  }

  /** Record an event without checking (a success counted after the fact). */
  add(now = this.clock.now()): void {
    this.log.push(now);
  }
}
