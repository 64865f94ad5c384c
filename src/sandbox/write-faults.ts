import { realClock, type Clock } from '../clock.js';
import type { SimReply } from './sim.js';

/**
 * One injected fault for the next write request a simulator receives:
 * `status` answers that HTTP status (a 429 with Retry-After, a 5xx) after acting or not;
 * `slow` acts, then answers after `ms`; `drop` destroys the connection before or after acting.
 */
export type WriteFault =
  | { kind: 'status'; status: number; acted: boolean; retryAfterSec?: number }
  | { kind: 'slow'; ms: number }
  | { kind: 'drop'; acted: boolean };

/** A fault, optionally only for requests whose path matches. */
export type QueuedFault = WriteFault & { path?: RegExp };

/** What a vendor's error body looks like, so injected faults carry its own envelope. */
export type FailReply = (status: number, message: string, headers?: Record<string, string>) => SimReply;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Write-side knobs of one simulator: queued faults and a throughput limit on its send endpoint. */
export class WriteKnobs {
  /** Consumed in order, one per write request (the first whose path matches). */
  readonly faults: QueuedFault[] = [];
  /** Send requests per second the vendor accepts; undefined = unlimited. */
  sendPerSecond: number | undefined;
  /** `queue`: hold each send until its slot; `refuse`: answer 429 with the Retry-After of the next slot. */
  sendLimitMode: 'queue' | 'refuse' = 'queue';
  private nextSlot = 0;

  constructor(private readonly failReply: FailReply, private readonly clock: Clock = realClock) {}

  /** Queue faults for the next write requests. */
  inject(...faults: QueuedFault[]): void {
    this.faults.push(...faults);
  }

  private take(path: string): WriteFault | undefined {
    const i = this.faults.findIndex((f) => !f.path || f.path.test(path));
    return i < 0 ? undefined : this.faults.splice(i, 1)[0];
  }

  /** Enforce the send throughput limit at `now` (the request's arrival): wait for the slot, or a 429 reply when refusing. */
  async throttle(now = this.clock.now()): Promise<SimReply | undefined> {
    if (!this.sendPerSecond) return undefined;
    const interval = 1000 / this.sendPerSecond;
    if (this.sendLimitMode === 'refuse') {
      if (now < this.nextSlot) {
        const wait = Math.max(0.001, Math.ceil(this.nextSlot - now) / 1000);
        return this.failReply(429, 'Rate limit exceeded', { 'retry-after': String(wait) });
      }
      this.nextSlot = now + interval;
      return undefined;
    }
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.clock.sleep(slot - now);
    return undefined;
  }

  /** Run one write under the next fault: `act` records the write and returns the vendor's answer. */
  async apply(path: string, act: () => SimReply): Promise<SimReply> {
    const fault = this.take(path);
    if (!fault) return act();
    switch (fault.kind) {
      case 'status': {
        if (fault.acted) act();
        const headers = fault.retryAfterSec !== undefined ? { 'retry-after': String(fault.retryAfterSec) } : undefined;
        return this.failReply(fault.status, fault.status === 429 ? 'Rate limit exceeded' : 'Internal server error', headers);
      }
      case 'slow': {
        const reply = act();
        await sleep(fault.ms);
        return reply;
      }
      case 'drop':
        if (fault.acted) act();
        return { status: 0, drop: true };
    }
  }
}

/** Count each recipient of an accepted send: `key:id` → times reached. */
export function countRecipients(received: Map<string, number>, key: string, ids: readonly string[]): void {
  for (const id of ids) received.set(`${key}:${id}`, (received.get(`${key}:${id}`) ?? 0) + 1);
}
