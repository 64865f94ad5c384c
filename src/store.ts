import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, type JournalEvent, type WriteRecord } from './journal.js';
import { UNSENT } from './part-letters.js';
import { DirLock, type LockOptions } from './store-lock.js';
import { FileLeases, MemoryLeases, type Leases } from './store-leases.js';
import { LocalRateWindows, LocalSlots } from './store-local.js';

export { LocalRateWindows, LocalSlots } from './store-local.js';

/** The store could not be reached or refused an update: what depended on it (a batch, a request) did not happen. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** The store the configuration names cannot be used (Redis unreachable, secrets that differ): the server does not start. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** "At most `limit` requests in any `ms`" (MoEngage: 100 a minute, 6,000 an hour). */
export interface SlidingWindow {
  limit: number;
  ms: number;
}

/** "N requests per interval" windows, shared by everything that sends under one key (one account's endpoint). */
export interface RateWindows {
  /**
   * Reserve the next slot for `key`: `intervalMs` after the previous one and within every sliding window;
   * resolves to the epoch ms to send at.
   */
  reserve(key: string, intervalMs: number, now: number, windows?: readonly SlidingWindow[]): Promise<number>;
  /** Give back a reservation that was never used (its call was cancelled), so later calls are not held by it. */
  release(key: string, slot: number, intervalMs: number): Promise<void>;
  /**
   * Just before sending under `key`: 0 when it may go now (at least `intervalMs` after the last request sent or
   * answered under it, wherever that was), and the send is then recorded at `now`; else how long to wait before
   * asking again. Recording only when it goes keeps a late timer from counting as an early send.
   */
  space(key: string, intervalMs: number, now: number): Promise<number>;
  /** A request under `key` was answered at `at`: the next one is spaced from here too, whatever the latency. */
  sent(key: string, at: number): Promise<void>;
  /**
   * Hold every request under `key` for `ms` from `now`, wherever it is sent from (a vendor's 429, or its word that
   * the window is used up, applies to the key, not to the instance that heard it); the later of two holds stands.
   */
  hold(key: string, ms: number, now: number): Promise<void>;
  /** How long from `now` requests under `key` are still held (0: they are not). */
  held(key: string, now: number): Promise<number>;
}

/** Documented concurrency caps ("at most N requests in flight"), shared by everything that sends under one key. */
export interface ConcurrencySlots {
  /** Wait for one of `max` slots under `key`; resolves to the function that gives it back. A cancelled wait leaves the queue. */
  acquire(key: string, max: number, signal?: AbortSignal): Promise<() => void>;
}

/**
 * Everything the server keeps between calls, behind one interface so several instances can share it
 * (EmbeddedStore here, RedisStore in store-redis.ts): listing snapshots behind cursors, write records with an atomic
 * consume-once, the journal of every preview, confirmation and per-part outcome, send leases and rate windows.
 */
export interface Store {
  readonly kind: 'embedded' | 'redis';
  readonly rates: RateWindows;
  readonly slots: ConcurrencySlots;
  /** Keep a listing behind its cursors; `bytes` (its estimated size) bounds the total kept, not only the count. */
  putSnapshot(id: string, value: unknown, ttlMs: number, bytes?: number): Promise<void>;
  getSnapshot(id: string): Promise<unknown>;
  /** Journal a previewed write (its plan included) durably. */
  createWrite(record: Omit<WriteRecord, 'parts' | 'confirmed_at'> & { parts: number }): Promise<WriteRecord>;
  getWrite(id: string): Promise<WriteRecord | undefined>;
  /** Writes previewed with these argument hashes, newest first (for resend_unknown). */
  findWrites(argsHash: string): Promise<WriteRecord[]>;
  /** Mark a write confirmed, atomically: true for exactly one caller, false when it was already confirmed. */
  consume(id: string, at: string): Promise<boolean>;
  /**
   * Journal that a part is about to be sent (before it is). `each`: a part resumed for its recipients not sent, with
   * those marked `a` (src/part-letters.ts); a shared store refuses a part already attempted that has none left to send.
   */
  recordAttempt(id: string, part: number, at: string, each?: string): Promise<void>;
  /** Journal a part's outcome. */
  recordOutcome(id: string, part: number, outcome: Extract<JournalEvent, { t: 'outcome' }>): Promise<void>;
  /** Hold `key` for `ttlMs` so one send runs at a time; false when another owner holds it. */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

const NOT_SENT = '; nothing was sent';

/**
 * The default store: in memory, with the journal on disk (fsynced JSON lines) when a data directory is given.
 * Processes sharing that directory (a server and a terminal `call`, a restarted server beside its predecessor still
 * shutting down) decide under its lock, after reading each other's new journal lines: a token is consumed once, a
 * part attempted once, a write run by one of them at a time. Reads of snapshots touch no file.
 */
export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  readonly rates = new LocalRateWindows();
  readonly slots = new LocalSlots();
  private readonly snapshots = new Map<string, { expires: number; value: unknown; bytes: number }>();
  private snapshotBytes = 0;
  private readonly leases: Leases;
  private readonly journal: Journal;
  private readonly lock: DirLock | undefined;

  constructor(options: { dataDir?: string; maxSnapshots?: number; maxSnapshotBytes?: number; now?: () => number; lock?: LockOptions } = {}) {
    const dir = options.dataDir;
    if (dir) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.lock = new DirLock(join(dir, 'journal.lock'), options.lock);
      try {
        // Retention is counted on the store's clock, as its leases and snapshots are (a test's injected one too).
        this.journal = this.lock.runSync(() => Journal.open(join(dir, 'journal.jsonl'), { now: (options.now ?? Date.now)() }), ', so the journal could not be opened');
      } catch (err) {
        throw err instanceof StoreError ? new StartError(err.message, { cause: err }) : err;
      }
      this.leases = new FileLeases(join(dir, 'leases'), options.lock?.isAlive);
    } else {
      this.journal = Journal.open();
      this.leases = new MemoryLeases();
    }
    this.maxSnapshots = options.maxSnapshots ?? 50;
    this.maxSnapshotBytes = options.maxSnapshotBytes ?? 64 * 1024 * 1024;
    this.clock = options.now ?? Date.now;
  }

  private readonly maxSnapshots: number;
  private readonly maxSnapshotBytes: number;
  private readonly clock: () => number;

  async putSnapshot(id: string, value: unknown, ttlMs: number, bytes?: number): Promise<void> {
    const now = this.clock();
    const size = bytes ?? JSON.stringify(value ?? null).length;
    this.dropSnapshot(id);
    for (const [k, v] of this.snapshots) if (v.expires < now) this.dropSnapshot(k);
    // The one expiring soonest first (as the Redis store does), until both the count and the total size fit: listings
    // (minutes) go before an audit report (a day); among equals, the oldest. One larger than the budget is kept alone.
    while (this.snapshots.size > 0 && (this.snapshots.size >= this.maxSnapshots || this.snapshotBytes + size > this.maxSnapshotBytes)) {
      let soonest: string | undefined;
      let at = Infinity;
      for (const [k, v] of this.snapshots) if (v.expires < at) [soonest, at] = [k, v.expires];
      this.dropSnapshot(soonest!);
    }
    this.snapshots.set(id, { expires: now + ttlMs, value, bytes: size });
    this.snapshotBytes += size;
  }

  private dropSnapshot(id: string): void {
    const held = this.snapshots.get(id);
    if (!held) return;
    this.snapshotBytes -= held.bytes;
    this.snapshots.delete(id);
  }

  async getSnapshot(id: string): Promise<unknown> {
    const held = this.snapshots.get(id);
    if (!held || held.expires < this.clock()) return undefined;
    return held.value;
  }

  /** Run `fn` under the data directory's lock, on a view of the journal holding every other process's lines. */
  private async locked<T>(fn: () => T, after: string): Promise<T> {
    if (!this.lock) return fn();
    return this.lock.run(() => {
      this.journal.catchUp(true);
      return fn();
    }, after);
  }

  async createWrite(record: Omit<WriteRecord, 'parts' | 'confirmed_at'> & { parts: number }): Promise<WriteRecord> {
    return this.locked(() => this.journal.append({ t: 'preview', at: record.created_at, record }), NOT_SENT);
  }

  async getWrite(id: string): Promise<WriteRecord | undefined> {
    this.journal.catchUp();
    return this.journal.get(id);
  }

  async findWrites(argsHash: string): Promise<WriteRecord[]> {
    this.journal.catchUp();
    return this.journal.byHash(argsHash);
  }

  async consume(id: string, at: string): Promise<boolean> {
    // Check and append in one critical section (no await between them): atomic across processes and in this one.
    return this.locked(() => {
      const rec = this.journal.get(id);
      if (!rec || rec.confirmed_at) return false;
      this.journal.append({ t: 'confirm', at, id });
      return true;
    }, NOT_SENT);
  }

  async recordAttempt(id: string, part: number, at: string, each?: string): Promise<void> {
    await this.locked(() => {
      const rec = this.journal.get(id);
      if (!rec) throw new StoreError('the write is no longer in the journal');
      const p = rec.parts[part];
      if (p && !stillToSend(p, each)) throw new StoreError(`part ${part} was already attempted`);
      this.journal.append({ t: 'attempt', at, id, part, ...(each && { each }) });
    }, '; this batch was not sent');
  }

  async recordOutcome(id: string, _part: number, outcome: Extract<JournalEvent, { t: 'outcome' }>): Promise<void> {
    await this.locked(() => {
      if (!this.journal.get(id)) throw new StoreError('the write is no longer in the journal');
      this.journal.append(outcome);
    }, '');
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.locked(() => this.leases.take(key, owner, ttlMs, this.clock()), NOT_SENT);
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.locked(() => this.leases.give(key, owner), '');
  }

  async close(): Promise<void> {
    this.journal.close();
  }
}

/** As the Redis store's attempt script: a part is sent again only while some of it is still to send, as its caller read it. */
function stillToSend(p: WriteRecord['parts'][number], each?: string): boolean {
  if (p.state === 'pending') return true;
  if (p.each) return UNSENT.test(p.each) && p.each.replace(/[pr]/g, 'a') === each;
  return p.state === 'failed' && p.not_acted === true;
}
