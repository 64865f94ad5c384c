import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VendorId } from './domain.js';
import type { Outcome, PartState as SettledState } from './errors.js';
import { hasUnsent } from './part-letters.js';

/** Where one part (batch) of a write stands; `attempted` (sent, no answer recorded) reads back as `unknown`. */
export type PartState = SettledState | 'attempted';

/** One write as the gate sees it: previewed, confirmed, then acted on part by part. */
export interface WriteRecord {
  id: string;
  tool: string;
  vendor: VendorId;
  account: string;
  args_hash: string;
  summary: string;
  /** The plan the gate previewed and will execute as is (opaque to the journal). */
  plan?: unknown;
  created_at: string;
  expires_at: string;
  confirmed_at?: string;
  /** `each`: per recipient of a part of several requests, when they do not all stand alike (src/part-letters.ts). */
  parts: Array<{ state: PartState; vendor_ref?: string; message?: string; at?: string; not_acted?: boolean; accepted?: number; each?: string }>;
}

/** The events a journal line can hold; replaying them in order rebuilds every record. */
export type JournalEvent =
  | { t: 'preview'; at: string; record: Omit<WriteRecord, 'parts' | 'confirmed_at'> & { parts: number } }
  | { t: 'confirm'; at: string; id: string }
  | { t: 'attempt'; at: string; id: string; part: number; each?: string }
  | { t: 'outcome'; at: string; id: string; part: number; state: Outcome; vendor_ref?: string; message?: string; not_acted?: boolean; accepted?: number; each?: string };

/**
 * A durable, append-only record of every write attempt and outcome (JSON lines, fsynced per event).
 * An attempt with no outcome after a crash reads back as `unknown`: the person decides whether to resend.
 * Several processes may share the file: each keeps a view of it and `catchUp` reads the lines the others appended
 * since (appends and compaction happen under the data directory lock, src/store-lock.ts).
 */
export class Journal {
  private readonly records = new Map<string, WriteRecord>();
  private fd: number | undefined;
  /** Bytes of the file this view has read (complete lines only), and which file (a compaction replaces it). */
  private offset = 0;
  private file: { ino: number; dev: number } | undefined;

  private constructor(private readonly path: string | undefined) {}

  /**
   * Open (or create) the journal at `path`; without a path it keeps records in memory only. Records
   * settled longer than `retentionMs` ago (default 30 days), and previews never confirmed a day past
   * their expiry, are compacted away on open, so the file does not grow without bound.
   */
  static open(path?: string, options: { retentionMs?: number; now?: number } = {}): Journal {
    const j = new Journal(path);
    if (path) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      j.attach();
      j.catchUp(true);
      for (const r of j.records.values()) {
        for (const p of r.parts) {
          if (p.state !== 'attempted') continue;
          p.state = 'unknown';
          if (p.each) p.each = p.each.replace(/a/g, 'u');
        }
      }
      const removed = j.expire(options.now ?? Date.now(), options.retentionMs ?? 30 * 86_400_000);
      if (removed > 0) {
        j.rewrite();
        j.attach(true);
      }
    }
    return j;
  }

  /**
   * Apply the lines appended since this view last read (by other processes sharing the file). `held`: the caller
   * holds the data directory lock, so nobody is mid-append and an unterminated last line is a crash's torn write:
   * it is closed off, so the next event starts a line of its own. One stat when nothing changed.
   */
  catchUp(held = false): void {
    if (!this.path || this.fd === undefined) return;
    const st = statSync(this.path, { throwIfNoEntry: false });
    let size = st?.size ?? 0;
    if (!st || st.ino !== this.file?.ino || st.dev !== this.file.dev || size < this.offset) {
      // Compacted (replaced) by another process: read the new file from its start.
      this.records.clear();
      this.attach();
      size = fstatSync(this.fd!).size;
    }
    if (size <= this.offset) return;
    const buf = Buffer.alloc(size - this.offset);
    const got = readSync(this.fd!, buf, 0, buf.length, this.offset);
    const end = buf.subarray(0, got).lastIndexOf(0x0a) + 1;
    for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        this.apply(JSON.parse(line) as JournalEvent);
      } catch {
        // A torn line from a crash mid-write carries no complete event.
      }
    }
    this.offset += end;
    if (held && end < got && got === buf.length) {
      writeSync(this.fd!, '\n');
      this.offset += got - end + 1;
    }
  }

  /** Record an event durably, then apply it. Sharing the file, the caller holds the lock and has caught up. */
  append(event: JournalEvent): WriteRecord {
    if (this.fd !== undefined) {
      const line = `${JSON.stringify(event)}\n`;
      writeSync(this.fd, line);
      fsyncSync(this.fd);
      this.offset += Buffer.byteLength(line);
    }
    return this.apply(event);
  }

  /** Every record previewed with these argument hashes, newest first. */
  byHash(hash: string): WriteRecord[] {
    return [...this.records.values()].filter((r) => r.args_hash === hash).reverse();
  }

  get(id: string): WriteRecord | undefined {
    return this.records.get(id);
  }

  /** Records not yet settled: confirmed with parts pending, attempted or unknown. */
  unsettled(): WriteRecord[] {
    return [...this.records.values()].filter((r) => r.confirmed_at && r.parts.some((p) => p.state !== 'succeeded' && p.state !== 'failed'));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** (Re)open the file for reading and appending; `read`: this view already holds everything in it. */
  private attach(read = false): void {
    this.close();
    this.fd = openSync(this.path!, 'a+', 0o600);
    const st = fstatSync(this.fd);
    this.file = { ino: st.ino, dev: st.dev };
    this.offset = read ? st.size : 0;
  }

  /** Drop records past retention; returns how many went. */
  private expire(now: number, retentionMs: number): number {
    let n = 0;
    for (const [id, r] of this.records) {
      const open = r.parts.some((p) => p.state === 'attempted' || hasUnsent(p));
      const old = r.confirmed_at ? !open && Date.parse(r.confirmed_at) < now - retentionMs : Date.parse(r.expires_at) < now - 86_400_000;
      if (old) {
        this.records.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Write the kept records as fresh events to a new file, fsync it, and move it into place. */
  private rewrite(): void {
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w', 0o600);
    for (const r of this.records.values()) {
      const { parts, confirmed_at, ...rest } = r;
      writeSync(fd, `${JSON.stringify({ t: 'preview', at: r.created_at, record: { ...rest, parts: parts.length } })}\n`);
      if (confirmed_at) writeSync(fd, `${JSON.stringify({ t: 'confirm', at: confirmed_at, id: r.id })}\n`);
      parts.forEach((p, part) => {
        if (p.state === 'pending') return;
        const state = p.state === 'attempted' ? 'unknown' : p.state;
        writeSync(fd, `${JSON.stringify({ t: 'outcome', at: p.at ?? r.created_at, id: r.id, part, state, vendor_ref: p.vendor_ref, message: p.message, not_acted: p.not_acted, accepted: p.accepted, each: p.each })}\n`);
      });
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path!);
  }

  private apply(e: JournalEvent): WriteRecord {
    if (e.t === 'preview') {
      const { parts, ...rest } = e.record;
      const rec: WriteRecord = { ...rest, parts: Array.from({ length: parts }, () => ({ state: 'pending' as const })) };
      this.records.set(rec.id, rec);
      return rec;
    }
    const rec = this.records.get(e.id);
    if (!rec) throw new Error(`journal: no write ${e.id}`);
    if (e.t === 'confirm') rec.confirmed_at = e.at;
    else {
      const part = rec.parts[e.part];
      if (!part) throw new Error(`journal: write ${e.id} has no part ${e.part}`);
      if (e.t === 'attempt') Object.assign(part, { state: 'attempted', at: e.at, each: e.each });
      else Object.assign(part, { state: e.state, vendor_ref: e.vendor_ref, message: e.message, at: e.at, not_acted: e.not_acted, accepted: e.accepted, each: e.each });
    }
    return rec;
  }
}
