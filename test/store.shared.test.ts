import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore, StartError, StoreError } from '../src/store.js';
import type { LockOptions } from '../src/store-lock.js';

// Two EmbeddedStore instances on one data directory model two processes (a server and a terminal `call`).

const at = '2026-11-22T10:00:00Z';
/**
 * The stores' clock: running, from an hour after `at`. A journal drops settled writes 30 days after confirmation on
 * its store's clock; on the wall clock these fixed dates would expire once the real date passed 2026-12-22.
 */
const shift = Date.now() - (Date.parse(at) + 3_600_000);
const storeNow = () => Date.now() - shift;
const DEAD = 4_000_001;
const LIVE = 4_000_002;
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'store-shared-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on `dir` whose lock sees `LIVE` as running and `DEAD` as gone, with a clock its waits advance. */
function open(dir: string, lock: LockOptions = {}): EmbeddedStore {
  let t = Date.now();
  const store = new EmbeddedStore({
    dataDir: dir,
    now: storeNow,
    lock: { isAlive: (pid) => pid === LIVE, now: () => t, sleep: async (ms) => void (t += ms), sleepSync: (ms) => void (t += ms), ...lock },
  });
  cleanups.push(() => void store.close());
  return store;
}

const write = (id: string, parts = 2, expires = '2999-01-01T00:00:00Z') => ({
  id, tool: 'send_to_users', vendor: 'clevertap' as const, account: 'default', args_hash: `h-${id}`, summary: 'push', created_at: at, expires_at: expires, parts,
});

/** A lock file as another process leaves it. */
function plantLock(dir: string, holder: { pid: number; host?: string; at?: number }): string {
  const path = join(dir, 'journal.lock');
  writeFileSync(path, JSON.stringify({ host: hostname(), at: Date.now(), nonce: 'x', ...holder }));
  return path;
}

describe('one data directory, two processes', () => {
  it('a write previewed on one is found by the other, opened before, and only one of them consumes its token', async () => {
    const dir = dataDir();
    const a = open(dir);
    const b = open(dir);
    await a.createWrite(write('w1'));
    expect(await b.getWrite('w1')).toMatchObject({ id: 'w1', parts: [{ state: 'pending' }, { state: 'pending' }] });
    expect(await b.consume('w1', at)).toBe(true);
    expect(await a.consume('w1', at)).toBe(false);
    expect((await a.getWrite('w1'))!.confirmed_at).toBe(at);
  });

  it('the other\'s later lines (attempts, outcomes) are seen by the first, which never attempts that part again', async () => {
    const dir = dataDir();
    const a = open(dir);
    await a.createWrite(write('w2'));
    await a.consume('w2', at);
    const b = open(dir);
    await b.recordAttempt('w2', 0, at);
    await b.recordOutcome('w2', 0, { t: 'outcome', at, id: 'w2', part: 0, state: 'succeeded', vendor_ref: 'q-0' });
    await b.recordAttempt('w2', 1, at);
    expect((await a.getWrite('w2'))!.parts).toMatchObject([{ state: 'succeeded', vendor_ref: 'q-0' }, { state: 'attempted' }]);
    await expect(a.recordAttempt('w2', 0, at)).rejects.toThrow(/part 0 was already attempted/);
    await expect(a.recordAttempt('w2', 1, at)).rejects.toThrow(/part 1 was already attempted/);
    // The refusals wrote nothing: a third process reads the same story.
    expect((await open(dir).getWrite('w2'))!.parts).toMatchObject([{ state: 'succeeded' }, { state: 'unknown' }]);
  });

  it('holds a send lease across processes; a lease of a process that is gone is free at once', async () => {
    const dir = dataDir();
    const a = open(dir);
    const b = open(dir);
    expect(await a.acquireLease('w3', 'owner-a', 120_000)).toBe(true);
    expect(await b.acquireLease('w3', 'owner-b', 120_000)).toBe(false);
    await a.releaseLease('w3', 'owner-a');
    expect(await b.acquireLease('w3', 'owner-b', 120_000)).toBe(true);
    writeFileSync(join(dir, 'leases', 'w4'), JSON.stringify({ owner: 'crashed', expires: storeNow() + 120_000, pid: DEAD, host: hostname(), run: 'r' }));
    expect(await b.acquireLease('w5', 'owner-b', 120_000)).toBe(true);
    writeFileSync(join(dir, 'leases', 'w5'), JSON.stringify({ owner: 'alive', expires: storeNow() + 120_000, pid: LIVE, host: hostname(), run: 'r' }));
    expect(await a.acquireLease('w5', 'owner-a', 120_000)).toBe(false);
    expect(await a.acquireLease('w4', 'owner-a', 120_000)).toBe(true);
  });

  it('reads past a compaction by the other (the journal file replaced under it), and appends to the new file', async () => {
    const dir = dataDir();
    const a = open(dir);
    await a.createWrite(write('old', 1, '2000-01-01T00:00:00Z'));
    await a.createWrite(write('kept', 1));
    const b = open(dir); // opening compacts the long-expired preview away, renaming a new file into place
    // ...which grows past the size of the file `a` read, so only its identity says it is another file.
    for (const id of ['b1', 'b2', 'b3']) await b.createWrite(write(id, 1));
    await a.createWrite(write('after', 1));
    expect(await a.getWrite('old')).toBeUndefined();
    expect((await a.getWrite('b3'))?.id).toBe('b3');
    const c = open(dir);
    expect((await c.getWrite('after'))?.id).toBe('after');
    expect((await c.getWrite('kept'))?.id).toBe('kept');
  });

  it('closes off a line torn by a process that crashed mid-append, and does not read a line still being written', async () => {
    const dir = dataDir();
    const a = open(dir);
    await a.createWrite(write('w5', 1));
    const b = open(dir);
    appendFileSync(join(dir, 'journal.jsonl'), '{"t":"confirm","at":"x","id":"w5"'); // another process, mid-append
    expect((await b.getWrite('w5'))!.confirmed_at).toBeUndefined();
    appendFileSync(join(dir, 'journal.jsonl'), '}\n');
    expect((await b.getWrite('w5'))!.confirmed_at).toBe('x');
    appendFileSync(join(dir, 'journal.jsonl'), '{"t":"outcome","id":"w5","pa'); // and one that crashed there
    await a.recordAttempt('w5', 0, at);
    expect((await open(dir).getWrite('w5'))!.parts[0]).toMatchObject({ state: 'unknown' });
  });
});

describe('the data directory lock', () => {
  it('takes over a lock left by a process that died (its pid gone from this host)', async () => {
    const dir = dataDir();
    const a = open(dir);
    await a.createWrite(write('w6'));
    const lock = plantLock(dir, { pid: DEAD });
    expect(await a.consume('w6', at)).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over one naming this very pid (a restarted container\'s pid 1), and one older than the stale age from another host', async () => {
    const dir = dataDir();
    const a = open(dir);
    plantLock(dir, { pid: process.pid });
    await a.createWrite(write('w7'));
    plantLock(dir, { pid: LIVE, host: 'elsewhere', at: Date.now() - 31_000 });
    expect(await a.consume('w7', at)).toBe(true);
  });

  it('a live holder past the bound: a clear StoreError, no token consumed, and the lock left to its holder', async () => {
    const dir = dataDir();
    const a = open(dir);
    await a.createWrite(write('w8'));
    const lock = plantLock(dir, { pid: LIVE });
    const err = await a.consume('w8', at).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(new RegExp(`^another campaign-mcp process \\(pid ${LIVE}\\) holds the data directory \\(its lock .*journal\\.lock was not released within 5 s\\); nothing was sent\\. `));
    expect(readFileSync(lock, 'utf8')).toContain(`"pid":${LIVE}`);
    await expect(a.recordAttempt('w8', 0, at)).rejects.toThrow(/within 5 s\); this batch was not sent/);
    plantLock(dir, { pid: LIVE, host: 'elsewhere' });
    await expect(a.acquireLease('w8', 'o', 1_000)).rejects.toThrow(/\(pid 4000002 on elsewhere\)/);
    rmSync(lock);
    expect(await a.consume('w8', at)).toBe(true);
  });

  it('a live holder at start: the store does not open (StartError), saying why', () => {
    const dir = dataDir();
    plantLock(dir, { pid: LIVE });
    expect(() => open(dir)).toThrow(StartError);
    expect(() => open(dir)).toThrow(/holds the data directory .*, so the journal could not be opened/);
  });
});
