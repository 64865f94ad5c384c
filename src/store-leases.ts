import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * Leases kept in one small JSON file of the data directory, read and replaced only under its lock (src/store-lock.ts).
 * A lease whose process is gone is free at once, so a crashed server does not hold a write for the lease's length.
 */
export class FileLeases implements Leases {
  constructor(private readonly path: string, private readonly isAlive: (pid: number) => boolean = pidAlive) {}

  take(key: string, owner: string, ttlMs: number, now: number): boolean {
    const all = this.live(now);
    const held = all[key];
    if (held && held.owner !== owner) return false;
    all[key] = { owner, expires: now + ttlMs, pid: process.pid, host: HOST, run: RUN };
    this.save(all);
    return true;
  }

  give(key: string, owner: string): void {
    const all = this.read();
    if (all[key]?.owner !== owner) return;
    delete all[key];
    this.save(all);
  }

  /** The leases still held: not expired, by a process that still runs (on another host: until they expire). */
  private live(now: number): Record<string, FileLease> {
    const all = this.read();
    for (const [key, l] of Object.entries(all)) {
      const gone = l.host === HOST && (l.pid === process.pid ? l.run !== RUN : !this.isAlive(l.pid));
      if (l.expires <= now || gone) delete all[key];
    }
    return all;
  }

  private read(): Record<string, FileLease> {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, FileLease>;
    } catch {
      // None yet, or unreadable: a lease is only ever a few minutes' claim, never a record of what was sent.
      return {};
    }
  }

  private save(all: Record<string, FileLease>): void {
    const tmp = `${this.path}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
