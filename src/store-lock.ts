import { closeSync, fstatSync, openSync, readFileSync, renameSync, statSync, unlinkSync, linkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { StoreError } from './store.js';

/** How a data directory lock waits and decides a holder is gone; every part injectable for tests. */
export interface LockOptions {
  /** Give up (StoreError) when another process holds the lock this long. Default 5 s. */
  waitMs?: number;
  /** A lock older than this is a holder that hung or died on another host, whatever its pid. Default 30 s. */
  staleMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The wait at open, where the store's constructor cannot await. */
  sleepSync?: (ms: number) => void;
  /** Whether a process of this host runs with this pid. */
  isAlive?: (pid: number) => boolean;
}

interface Holder {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

const HOST = hostname();
/** A lock file that never got its holder written (a crash between creating and writing it) is stale after this. */
const UNWRITTEN_MS = 1_000;

/**
 * An exclusive lock on a data directory shared by several processes (a server, a terminal `call`, a restarted
 * server whose predecessor is still shutting down): a lock file created with O_EXCL, held only for a synchronous
 * critical section (read the journal's new lines, decide, append), so a wait is a few milliseconds. A holder that
 * died (its pid gone from this host, or the file older than `staleMs`) is taken over; a live holder past `waitMs`
 * is a clear StoreError, never a wait without end.
 */
export class DirLock {
  private readonly waitMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly sleepSync: (ms: number) => void;
  private readonly isAlive: (pid: number) => boolean;

  constructor(readonly path: string, options: LockOptions = {}) {
    this.waitMs = options.waitMs ?? 5_000;
    this.staleMs = options.staleMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.sleepSync = options.sleepSync ?? ((ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms));
    this.isAlive = options.isAlive ?? pidAlive;
  }

  /** Run `fn` holding the lock; `after` ends the error's message (what the refused operation left undone). */
  async run<T>(fn: () => T, after: string): Promise<T> {
    const until = this.now() + this.waitMs;
    let fd: number | undefined;
    for (let delay = 1; (fd = this.take()) === undefined; delay = Math.min(delay * 2, 50)) {
      if (this.now() >= until) throw this.busy(after);
      await this.sleep(delay);
    }
    return this.holding(fd, fn);
  }

  /** As run, waiting synchronously: only where nothing can await (opening the journal in the store's constructor). */
  runSync<T>(fn: () => T, after: string): T {
    const until = this.now() + this.waitMs;
    let fd: number | undefined;
    for (let delay = 1; (fd = this.take()) === undefined; delay = Math.min(delay * 2, 50)) {
      if (this.now() >= until) throw this.busy(after);
      this.sleepSync(delay);
    }
    return this.holding(fd, fn);
  }

  private holding<T>(fd: number, fn: () => T): T {
    try {
      return fn();
    } finally {
      this.release(fd);
    }
  }

  /** One try: the lock file's descriptor when this process now holds it (a dead holder's lock taken over). */
  private take(): number | undefined {
    const holder: Holder = { pid: process.pid, host: HOST, at: this.now(), nonce: randomBytes(6).toString('hex') };
    try {
      const fd = openSync(this.path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(holder));
      return fd;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(`cannot lock the data directory (${this.path}): ${(err as Error).message}`, { cause: err });
    }
    const seen = this.read();
    if (seen && this.stale(seen.holder, seen.mtime)) this.takeOver(seen.raw);
    return undefined;
  }

  /** Give the lock back, unless a process that judged it stale took it meanwhile (the file is then no longer ours). */
  private release(fd: number): void {
    try {
      const mine = fstatSync(fd);
      const now = statSync(this.path, { throwIfNoEntry: false });
      if (now && now.ino === mine.ino && now.dev === mine.dev) unlinkSync(this.path);
    } finally {
      closeSync(fd);
    }
  }

  private read(): { raw: string; holder?: Holder; mtime: number } | undefined {
    try {
      const mtime = statSync(this.path).mtimeMs;
      const raw = readFileSync(this.path, 'utf8');
      let holder: Holder | undefined;
      try {
        holder = JSON.parse(raw) as Holder;
      } catch {
        // Created, not yet (or never) written.
      }
      return { raw, holder, mtime };
    } catch {
      return undefined;
    }
  }

  private stale(holder: Holder | undefined, mtime: number): boolean {
    const now = this.now();
    if (!holder) return now - mtime > UNWRITTEN_MS;
    if (now - holder.at > this.staleMs) return true;
    if (holder.host !== HOST) return false;
    // Critical sections never await, so a lock naming this very pid is a dead predecessor's (a container's pid 1 again).
    return holder.pid === process.pid || !this.isAlive(holder.pid);
  }

  /**
   * Move the stale file aside and remove it only if it is still the one judged stale: two processes taking over at
   * once must not remove the lock the quicker of them has just created. One moved by mistake is put back.
   */
  private takeOver(raw: string): void {
    const aside = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(this.path, aside);
    } catch {
      return;
    }
    try {
      if (readFileSync(aside, 'utf8') !== raw) linkSync(aside, this.path);
    } catch {
      // Another lock was created meanwhile: that one holds.
    } finally {
      unlinkSync(aside);
    }
  }

  private busy(after: string): StoreError {
    const holder = this.read()?.holder;
    const who = holder ? ` (pid ${holder.pid}${holder.host === HOST ? '' : ` on ${holder.host}`})` : '';
    return new StoreError(
      `another campaign-mcp process${who} holds the data directory (its lock ${this.path} was not released within ${Math.round(this.waitMs / 1000)} s)${after}. `
      + 'Try again in a moment; if no other campaign-mcp uses this data directory, delete that lock file',
    );
  }
}

/** Signal 0 checks that the pid exists; EPERM means it does, owned by another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
