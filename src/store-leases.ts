import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { pidAlive } from './store-lock.js';

/** Send leases of the embedded store: "one run at a time acts on a write", across the processes sharing its data directory. */
export interface Leases {
  /** Hold `key` for `ttlMs` from `now`; false when another owner holds it. */
  take(key: string, owner: string, ttlMs: number, now: number): boolean;
  give(key: string, owner: string): void;
}

/** Leases of one process (no data directory). */
export class MemoryLeases implements Leases {
  private readonly held = new Map<string, { owner: string; expires: number }>();

  take(key: string, owner: string, ttlMs: number, now: number): boolean {
    const held = this.held.get(key);
    if (held && held.owner !== owner && held.expires > now) return false;
    this.held.set(key, { owner, expires: now + ttlMs });
    return true;
  }

  give(key: string, owner: string): void {
    if (this.held.get(key)?.owner === owner) this.held.delete(key);
  }
}

interface FileLease {
  owner: string;
  expires: number;
  pid: number;
  host: string;
  /** Which run of the process: a pid seen again after a restart (a container's pid 1) is not the holder. */
  run: string;
}

const HOST = hostname();
const RUN = randomBytes(6).toString('hex');

/**
 * Leases kept as small files in the data directory (one a key: taking a free one creates it, giving it back removes
 * it), read and changed only under its lock (src/store-lock.ts). A lease whose process is gone is free at once, so a
 * crashed server does not hold a write for the lease's length.
 */
export class FileLeases implements Leases {
  constructor(private readonly dir: string, private readonly isAlive: (pid: number) => boolean = pidAlive) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  take(key: string, owner: string, ttlMs: number, now: number): boolean {
    const path = this.pathOf(key);
    const held = read(path);
    if (held && held.owner !== owner && !this.over(held, now)) return false;
    writeFileSync(path, JSON.stringify({ owner, expires: now + ttlMs, pid: process.pid, host: HOST, run: RUN } satisfies FileLease), { mode: 0o600 });
    return true;
  }

  give(key: string, owner: string): void {
    const path = this.pathOf(key);
    if (read(path)?.owner === owner) rmSync(path, { force: true });
  }

  /** Expired, or its process no longer runs (on another host: only once it expires). */
  private over(l: FileLease, now: number): boolean {
    return l.expires <= now || (l.host === HOST && (l.pid === process.pid ? l.run !== RUN : !this.isAlive(l.pid)));
  }

  private pathOf(key: string): string {
    return join(this.dir, key.replace(/[^A-Za-z0-9_-]/g, (c) => `%${c.charCodeAt(0).toString(16)}`));
  }
}

/** A lease file's holder; none, or unreadable (a crash mid-write): free, as a lease is only a claim of minutes. */
function read(path: string): FileLease | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FileLease;
  } catch {
    return undefined;
  }
}
