import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../src/journal.js';

const at = '2026-11-22T10:00:00Z';
/**
 * Reopened an hour after `at`: a journal drops settled writes 30 days after their confirmation, by the clock it is
 * given (the wall clock by default), so these fixed dates would expire once the real date passed 2026-12-22.
 */
const open = (path?: string) => Journal.open(path, { now: Date.parse(at) + 3_600_000 });
const dirs: string[] = [];
/** A journal path in a temporary directory removed after the file's tests. */
const journalPath = () => (dirs.push(mkdtempSync(join(tmpdir(), 'j-'))), join(dirs[dirs.length - 1]!, 'journal.jsonl'));
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const preview = (id: string, parts = 2) => ({
  t: 'preview' as const, at,
  record: { id, tool: 'send_to_users', vendor: 'clevertap' as const, account: 'default', args_hash: 'h', summary: 'push to 1500 users', created_at: at, expires_at: at, parts },
});

describe('journal', () => {
  it('replays every event after a restart', () => {
    const path = journalPath();
    const j = open(path);
    j.append(preview('w1'));
    j.append({ t: 'confirm', at, id: 'w1' });
    j.append({ t: 'attempt', at, id: 'w1', part: 0 });
    j.append({ t: 'outcome', at, id: 'w1', part: 0, state: 'succeeded', vendor_ref: 'q-1' });
    j.close();
    const again = open(path);
    expect(again.get('w1')).toMatchObject({ confirmed_at: at, parts: [{ state: 'succeeded', vendor_ref: 'q-1' }, { state: 'pending' }] });
    expect(again.unsettled().map((r) => r.id)).toEqual(['w1']);
    again.close();
  });

  it('reads an attempt without an outcome (a crash mid-send) as unknown, never as pending', () => {
    const path = journalPath();
    const j = open(path);
    j.append(preview('w2', 1));
    j.append({ t: 'confirm', at, id: 'w2' });
    j.append({ t: 'attempt', at, id: 'w2', part: 0 });
    j.close();
    appendFileSync(path, '{"t":"outcome","id":"w2","pa'); // torn line
    const again = open(path);
    expect(again.get('w2')!.parts[0]!.state).toBe('unknown');
    again.append({ t: 'outcome', at, id: 'w2', part: 0, state: 'failed', message: 'person chose not to resend' });
    again.close();
    expect(open(path).get('w2')!.parts[0]).toMatchObject({ state: 'failed' });
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('a part resumed for its recipients not sent keeps the ones settled: a crash mid-resume reads only those sent as unknown', () => {
    const path = journalPath();
    const j = open(path);
    j.append(preview('w3', 1));
    j.append({ t: 'confirm', at, id: 'w3' });
    j.append({ t: 'attempt', at, id: 'w3', part: 0 });
    j.append({ t: 'outcome', at, id: 'w3', part: 0, state: 'failed', each: 'sfpp', accepted: 1 });
    j.append({ t: 'attempt', at, id: 'w3', part: 0, each: 'sfaa' });
    j.close();
    const again = open(path);
    expect(again.get('w3')!.parts[0]).toMatchObject({ state: 'unknown', each: 'sfuu' });
    again.close();
  });

  it('keeps a write with recipients not yet sent past retention, as it keeps one with batches pending', () => {
    const path = journalPath();
    const j = open(path);
    j.append(preview('w4', 1));
    j.append({ t: 'confirm', at, id: 'w4' });
    j.append({ t: 'outcome', at, id: 'w4', part: 0, state: 'failed', each: 'sp' });
    j.append(preview('w5', 1));
    j.append({ t: 'confirm', at, id: 'w5' });
    j.append({ t: 'outcome', at, id: 'w5', part: 0, state: 'failed', each: 'sf' });
    j.close();
    const later = Journal.open(path, { now: Date.parse(at) + 365 * 86_400_000 });
    expect(later.get('w4')!.parts[0]!.each).toBe('sp');
    expect(later.get('w5')).toBeUndefined();
    later.close();
    const reopened = Journal.open(path, { now: Date.parse(at) + 365 * 86_400_000 });
    expect(reopened.get('w4')!.parts[0]).toMatchObject({ state: 'failed', each: 'sp' });
    reopened.close();
  });

  it('keeps a write with a batch refused before the vendor acted past retention: the same token sends it again', () => {
    const path = journalPath();
    const j = open(path);
    j.append(preview('w6', 1));
    j.append({ t: 'confirm', at, id: 'w6' });
    j.append({ t: 'outcome', at, id: 'w6', part: 0, state: 'failed', not_acted: true, message: 'rate limited' });
    j.close();
    const later = Journal.open(path, { now: Date.parse(at) + 365 * 86_400_000 });
    expect(later.get('w6')!.parts[0]).toMatchObject({ state: 'failed', not_acted: true });
    later.close();
  });

  it('refuses events for a write it never previewed', () => {
    const j = open();
    expect(() => j.append({ t: 'confirm', at, id: 'nope' })).toThrow(/no write nope/);
  });
});

describe('journal compaction', () => {
  it('drops settled records past retention and stale previews on open, keeps open ones, and the rest replays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jc-'));
    try {
      const path = join(dir, 'journal.jsonl');
      const j = open(path);
      j.append(preview('old-done', 1));
      j.append({ t: 'confirm', at, id: 'old-done' });
      j.append({ t: 'outcome', at, id: 'old-done', part: 0, state: 'succeeded' });
      j.append(preview('old-open', 2));
      j.append({ t: 'confirm', at, id: 'old-open' });
      j.append({ t: 'outcome', at, id: 'old-open', part: 0, state: 'unknown', message: 'timeout' });
      j.append(preview('stale-preview', 1));
      j.close();
      const later = Date.parse(at) + 31 * 86_400_000;
      const again = Journal.open(path, { now: later });
      expect(again.get('old-done')).toBeUndefined();
      expect(again.get('stale-preview')).toBeUndefined();
      expect(again.get('old-open')).toMatchObject({ confirmed_at: at, parts: [{ state: 'unknown', message: 'timeout' }, { state: 'pending' }] });
      again.close();
      expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
      expect(Journal.open(path, { now: later }).get('old-open')!.parts[0]!.state).toBe('unknown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rewrites every field of a part it keeps: a reopened file reads the same parts as before the compaction', () => {
    const path = journalPath();
    const j = open(path);
    j.append(preview('gone', 1));
    j.append({ t: 'confirm', at, id: 'gone' });
    j.append({ t: 'outcome', at, id: 'gone', part: 0, state: 'succeeded' });
    j.append(preview('kept', 4));
    j.append({ t: 'confirm', at, id: 'kept' });
    j.append({ t: 'outcome', at, id: 'kept', part: 0, state: 'succeeded', vendor_ref: 'q-1', accepted: 1000 });
    j.append({ t: 'outcome', at, id: 'kept', part: 1, state: 'failed', message: 'key revoked', not_acted: true });
    j.append({ t: 'outcome', at, id: 'kept', part: 2, state: 'failed', vendor_ref: 'q-3', accepted: 1, each: 'sfp' });
    const before = structuredClone(j.get('kept')!.parts);
    j.close();
    const later = Date.parse(at) + 31 * 86_400_000;
    Journal.open(path, { now: later }).close();
    expect(readFileSync(path, 'utf8')).not.toContain('"gone"');
    const reopened = Journal.open(path, { now: later });
    expect(reopened.get('kept')!.parts).toEqual(before);
    expect(reopened.get('kept')!.parts).toMatchObject([
      { state: 'succeeded', vendor_ref: 'q-1', accepted: 1000 },
      { state: 'failed', message: 'key revoked', not_acted: true },
      { state: 'failed', vendor_ref: 'q-3', accepted: 1, each: 'sfp' },
      { state: 'pending' },
    ]);
    reopened.close();
  });
});
