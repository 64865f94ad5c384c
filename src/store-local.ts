import { Semaphore } from './concurrency.js';
import type { ConcurrencySlots, RateWindows, SlidingWindow } from './store.js';

/** Concurrency caps in this process: one semaphore per key. */
export class LocalSlots implements ConcurrencySlots {
  private readonly semaphores = new Map<string, Semaphore>();

  acquire(key: string, max: number, signal?: AbortSignal): Promise<() => void> {
    let s = this.semaphores.get(key);
    if (!s) this.semaphores.set(key, (s = new Semaphore(max)));
    return s.acquire(signal);
  }
}

/** Rate windows in this process: per key, the reserved slots still inside the longest window, in order. */
export class LocalRateWindows implements RateWindows {
  private readonly slots = new Map<string, number[]>();
  private readonly last = new Map<string, number>();
  private readonly holds = new Map<string, number>();

  async hold(key: string, ms: number, now: number): Promise<void> {
    if (now + ms > (this.holds.get(key) ?? 0)) this.holds.set(key, now + ms);
  }

  async held(key: string, now: number): Promise<number> {
    const left = (this.holds.get(key) ?? 0) - now;
    if (left > 0) return left;
    this.holds.delete(key);
    return 0;
  }

  async space(key: string, intervalMs: number, now: number): Promise<number> {
    const gap = (this.last.get(key) ?? 0) + intervalMs - now;
    if (gap > 0) return gap;
    this.last.set(key, now);
    return 0;
  }

  async sent(key: string, at: number): Promise<void> {
    this.last.set(key, at);
  }

  async reserve(key: string, intervalMs: number, now: number, windows: readonly SlidingWindow[] = []): Promise<number> {
    const log = this.slots.get(key) ?? [];
    this.slots.set(key, log);
    const span = Math.max(intervalMs, ...windows.map((w) => w.ms));
    while (log.length > 1 && log[0]! < now - span) log.shift();
    let slot = Math.max(now, log.length ? log[log.length - 1]! + intervalMs : now);
    for (const w of windows) if (log.length >= w.limit) slot = Math.max(slot, log[log.length - w.limit]! + w.ms);
    log.push(slot);
    return slot;
  }

  async release(key: string, slot: number): Promise<void> {
    // Any reservation can be handed back: once the newest are gone, the next caller starts where the live ones end.
    const log = this.slots.get(key);
    const i = log ? log.lastIndexOf(slot) : -1;
    if (i >= 0) log!.splice(i, 1);
  }

  /** Reservations held for `key`, for tests that check cancelled calls gave theirs back. */
  pending(key: string, now: number): number {
    return (this.slots.get(key) ?? []).filter((s) => s > now).length;
  }
}
