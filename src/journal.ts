import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VendorId } from './domain.js';
import type { Outcome, PartState as SettledState } from './errors.js';

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
  parts: Array<{ state: PartState; vendor_ref?: string; message?: string; at?: string }>;
}

/** The events a journal line can hold; replaying them in order rebuilds every record. */
export type JournalEvent =
  | { t: 'preview'; at: string; record: Omit<WriteRecord, 'parts' | 'confirmed_at'> & { parts: number } }
  | { t: 'confirm'; at: string; id: string }
  | { t: 'attempt'; at: string; id: string; part: number }
  | { t: 'outcome'; at: string; id: string; part: number; state: Outcome; vendor_ref?: string; message?: string };

/**
 * A durable, append-only record of every write attempt and outcome (JSON lines, fsynced per event).
 * An attempt with no outcome after a crash reads back as `unknown`: the person decides whether to resend.
 */
export class Journal {
  private readonly records = new Map<string, WriteRecord>();
  private fd: number | undefined;

  private constructor(private readonly path: string | undefined) {}

  /** Open (or create) the journal at `path`; without a path it keeps records in memory only. */
  static open(path?: string): Journal {
    const j = new Journal(path);
    if (path) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      let torn = false;
      if (existsSync(path)) {
        const text = readFileSync(path, 'utf8');
        torn = text.length > 0 && !text.endsWith('\n');
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          try {
            j.apply(JSON.parse(line) as JournalEvent);
          } catch {
            // A torn last line from a crash mid-write carries no complete event.
          }
        }
      }
      for (const r of j.records.values()) for (const p of r.parts) if (p.state === 'attempted') p.state = 'unknown';
      j.fd = openSync(path, 'a', 0o600);
      if (torn) writeSync(j.fd, '\n');
    }
    return j;
  }

  /** Record an event durably, then apply it. */
  append(event: JournalEvent): WriteRecord {
    if (this.fd !== undefined) {
      writeSync(this.fd, `${JSON.stringify(event)}\n`);
      fsyncSync(this.fd);
    }
    return this.apply(event);
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
      if (e.t === 'attempt') Object.assign(part, { state: 'attempted', at: e.at });
      else Object.assign(part, { state: e.state, vendor_ref: e.vendor_ref, message: e.message, at: e.at });
    }
    return rec;
  }
}
