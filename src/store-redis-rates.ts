import { randomBytes } from 'node:crypto';
import { sleep } from './concurrency.js';
import { LocalSlots, StoreError, type ConcurrencySlots, type RateWindows, type SlidingWindow } from './store.js';
import type { RedisLink } from './store-redis-link.js';

/** A waiter for a concurrency slot tries again when one is given back (published), and at the latest after this (jittered). */
const SLOT_POLL_MS = 40;

/** Renews what this instance holds (leases, concurrency slots) on one timer, so a holder that dies frees them within a TTL. */
export class Heartbeat {
  private readonly held = new Map<string, () => Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs: number, private readonly onError: (err: unknown) => void) {}

  hold(id: string, renew: () => Promise<unknown>): void {
    this.held.set(id, renew);
    this.timer ??= setInterval(() => {
      for (const r of this.held.values()) r().catch(this.onError);
    }, this.everyMs).unref();
  }

  /** Stop renewing anything (the store is closing). */
  stop(): void {
    this.held.clear();
    this.drop('');
  }

  drop(id: string): void {
    this.held.delete(id);
    if (this.held.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** A Redis failure as the StoreError callers handle (a vendor request waiting for its turn is then not sent). */
export function unreachable(err: unknown): StoreError {
  return new StoreError(`the shared store (Redis) did not answer (${(err as Error).message})`, { cause: err });
}

/**
 * How long (real time) after its window a reservation can still be given back (a cancelled call releases late);
 * later, Redis keeps the slot, which only spaces the next reservation more (never less) than the local windows.
 */
const RELEASE_GRACE_MS = 60_000;

/**
 * LocalRateWindows' semantics over Redis, so every instance draws on one budget per key: slots in a sorted
 * set, reserved by one script. `clock: 'redis'` (the default) spaces slots by the server's clock, so hosts
 * whose clocks differ still keep the interval; 'caller' uses the `now` passed in (tests with a virtual clock).
 */
export class RedisRateWindows implements RateWindows {
  private readonly members = new Map<string, string[]>();

  constructor(private readonly link: RedisLink, private readonly prefix: string, private readonly clock: 'redis' | 'caller' = 'redis') {}

  async reserve(key: string, intervalMs: number, now: number, windows: readonly SlidingWindow[] = []): Promise<number> {
    const span = Math.max(intervalMs, ...windows.map((w) => w.ms));
    const member = randomBytes(8).toString('base64url');
    let reply: [number, number];
    try {
      reply = await this.link.run<[number, number]>('reserve', [this.prefix + key], [
        this.clock === 'redis' ? '' : Math.floor(now), Math.ceil(intervalMs), span, member, ...windows.flatMap((w) => [w.limit, w.ms]),
      ]);
    } catch (err) {
      throw unreachable(err);
    }
    const [slot, at] = reply.map(Number) as [number, number];
    const local = this.clock === 'redis' ? now + (slot - at) : slot;
    const id = `${key}\u0000${local}`;
    this.members.set(id, [...(this.members.get(id) ?? []), member]);
    // The local bookkeeping only serves release(). It outlives the slot's window by a minute: a slot given back
    // after its window may still be the newest, which the next reservation is spaced from (as LocalRateWindows does).
    setTimeout(() => this.forget(id, member), Math.max(0, local - now) + span + RELEASE_GRACE_MS).unref();
    return local;
  }

  async space(key: string, intervalMs: number, now: number): Promise<number> {
    try {
      return Number(await this.link.run('space', [`${this.prefix}last:${key}`], [this.clock === 'redis' ? '' : Math.floor(now), Math.ceil(intervalMs)]));
    } catch (err) {
      throw unreachable(err);
    }
  }

  async sent(key: string, at: number): Promise<void> {
    await this.link.run('sent', [`${this.prefix}last:${key}`], [this.clock === 'redis' ? '' : Math.floor(at), 60_000]).catch((err: unknown) => Promise.reject(unreachable(err)));
  }

  async hold(key: string, ms: number, now: number): Promise<void> {
    await this.link.run('hold', [`${this.prefix}hold:${key}`], [this.clock === 'redis' ? '' : Math.floor(now), Math.ceil(ms)])
      .catch((err: unknown) => Promise.reject(unreachable(err)));
  }

  async held(key: string, now: number): Promise<number> {
    try {
      return Number(await this.link.run('held', [`${this.prefix}hold:${key}`], [this.clock === 'redis' ? '' : Math.floor(now)]));
    } catch (err) {
      throw unreachable(err);
    }
  }

  async release(key: string, slot: number): Promise<void> {
    const id = `${key}\u0000${slot}`;
    const member = this.members.get(id)?.[0];
    if (!member) return;
    this.forget(id, member);
    await this.link.cmd(['ZREM', this.prefix + key, member]).catch(() => undefined);
  }

  private forget(id: string, member: string): void {
    const left = (this.members.get(id) ?? []).filter((m) => m !== member);
    if (left.length) this.members.set(id, left);
    else this.members.delete(id);
  }
}

/**
 * Concurrency caps held in Redis: at most `max` holders per key across every instance. Each instance first
 * queues locally (so it never polls for more than `max` waiters), then takes a slot by script; held slots are
 * renewed by the heartbeat and expire `ttlMs` after a holder dies.
 */
export class RedisSlots implements ConcurrencySlots {
  private readonly local = new LocalSlots();
  private seq = 0;
  private readonly owner = randomBytes(6).toString('base64url');
  /** Per key, the waiters to wake when any instance gives a slot back. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly subscribed = new Map<string, Promise<void>>();

  constructor(private readonly link: RedisLink, private readonly prefix: string, private readonly heartbeat: Heartbeat, private readonly ttlMs: number) {}

  async acquire(key: string, max: number, signal?: AbortSignal): Promise<() => void> {
    const releaseLocal = await this.local.acquire(key, max, signal);
    const member = `${this.owner}:${++this.seq}`;
    const redisKey = this.prefix + key;
    try {
      for (;;) {
        let got: number;
        try {
          got = Number(await this.link.run('slot', [redisKey], [member, max, this.ttlMs]));
        } catch (err) {
          throw unreachable(err);
        }
        if (got === 1) break;
        await this.wake(redisKey, SLOT_POLL_MS * (0.5 + Math.random()), signal);
      }
    } catch (err) {
      releaseLocal();
      throw err;
    }
    const hb = `slot:${member}`;
    this.heartbeat.hold(hb, () => this.link.run('renewSlot', [redisKey], [member, this.ttlMs]));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.heartbeat.drop(hb);
      // Free the shared slot before the local one, so the next local waiter finds it free.
      void this.link.run('unslot', [redisKey], [member]).catch(() => undefined).finally(releaseLocal);
    };
  }

  /** Sleep until a slot under `key` is given back anywhere, or `ms` passed. */
  private async wake(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.subscribed.has(key)) {
      const fanOut = () => {
        for (const w of this.waiters.get(key) ?? []) w();
      };
      this.subscribed.set(key, this.link.subscribe(key, fanOut).catch(() => void this.subscribed.delete(key)));
    }
    let done!: () => void;
    const woken = new Promise<void>((resolve) => (done = resolve));
    const set = this.waiters.get(key) ?? new Set();
    this.waiters.set(key, set.add(done));
    try {
      await Promise.race([woken, sleep(ms, signal)]);
    } finally {
      set.delete(done);
    }
  }
}
