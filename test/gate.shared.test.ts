import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteGate } from '../src/confirm.js';
import { createServer } from '../src/server.js';
import { EmbeddedStore } from '../src/store.js';
import { TokenSigner } from '../src/tokens.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { writableAdapter } from './helpers/fake-writer.js';

// The write gate on two embedded stores sharing one data directory, as two processes (a server still shutting down
// and its successor; a server and a terminal `call`) run it.

const LIVE = 4_000_002;
const args = { vendor: 'clevertap', channel: 'push', recipients: { ids: Array.from({ length: 2500 }, (_, i) => `u${i}`), id_type: 'identity' }, content: { title: 'Hi', body: 'Sale' } };
let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** One "process": its own store on `dir`, gate, server and vendor. The lock's waits run on a clock they advance. */
async function processOn(dir: string) {
  let t = Date.now();
  const store = new EmbeddedStore({ dataDir: dir, lock: { isAlive: (pid) => pid === LIVE, now: () => t, sleep: async (ms) => void (t += ms) } });
  const adapter = writableAdapter();
  const gate = new WriteGate(store, new TokenSigner(Buffer.alloc(32, 5)), { ttlMs: 600_000, maxRecipients: 100_000, ask: 'never', concurrency: 1 }, () => new Date(), (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))));
  const client = await connectInProcess(createServer({ adapters: [adapter], sandbox: false, store, gate, now: () => new Date() }, allTools, { readOnly: false }));
  cleanups.push(async () => {
    await client.close();
    await store.close();
  });
  const call = async (a: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'send_to_users', arguments: a });
    return { r, s: r.structuredContent as any, text: (r.content as Array<{ text: string }>)[0]!.text };
  };
  return { writer: adapter.writer, call, store };
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gate-shared-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('two processes, one token', () => {
  it('the second confirms while the first is still sending: it waits for the first\'s lease, then replays its outcome', async () => {
    const dir = dataDir();
    const old = await processOn(dir);
    const next = await processOn(dir);
    const p = await old.call(args);
    let resume!: () => void;
    const held = new Promise<void>((r) => (resume = r));
    let onNext: Promise<Awaited<ReturnType<typeof next.call>>> | undefined;
    old.writer.turn = async (i) => {
      if (i !== 1) return;
      // Batch 0 is sent and journaled; the successor gets the same token now, then batch 1 goes on.
      onNext = next.call({ ...args, confirm: p.s.confirm });
      await new Promise((r) => setTimeout(r, 30));
      resume();
    };
    const first = old.call({ ...args, confirm: p.s.confirm });
    await held;
    expect((await first).s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    expect((await onNext!).s).toMatchObject({ status: 'succeeded', replayed: true, counts: { succeeded: 2500, pending: 0 } });
    expect(next.writer.delivered).toHaveLength(0);
    expect(new Set(old.writer.delivered).size).toBe(2500);
    expect(old.writer.delivered).toHaveLength(2500);
  });

  it('another live process holds the data directory: the confirmation is refused with why, and nothing reaches the vendor', async () => {
    const dir = dataDir();
    const one = await processOn(dir);
    const p = await one.call(args);
    writeFileSync(join(dir, 'journal.lock'), JSON.stringify({ pid: LIVE, host: hostname(), at: Date.now(), nonce: 'x' }));
    const r = await one.call({ ...args, confirm: p.s.confirm });
    expect(r.r.isError).toBe(true);
    expect(r.text).toMatch(/another campaign-mcp process \(pid 4000002\) holds the data directory .*; nothing was sent/);
    expect(one.writer.delivered).toHaveLength(0);
    expect(one.writer.executed).toBe(0);
    // Once it lets go, the same token sends, once.
    rmSync(join(dir, 'journal.lock'));
    expect((await one.call({ ...args, confirm: p.s.confirm })).s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    expect(one.writer.delivered).toHaveLength(2500);
  });

  it('a process opened while another is mid-send does not offer that send\'s batches on the wire to resend_unknown', async () => {
    const dir = dataDir();
    const a = await processOn(dir);
    let release!: () => void;
    const vendor = new Promise<void>((r) => (release = r));
    let attempted!: () => void;
    const onWire = new Promise<void>((r) => (attempted = r));
    // The fake writer awaits its gate once the attempt is journaled (onSend), so the gate's `then` is that moment:
    // the request is on the wire and held by the vendor. (Before: a fixed 20 ms after its turn, for the journal write.)
    a.writer.gate = { then: (ok: () => void, ko: (e: unknown) => void) => (attempted(), vendor.then(ok, ko)) } as unknown as Promise<void>;
    const p = await a.call(args);
    const sending = a.call({ ...args, confirm: p.s.confirm });
    await onWire;
    const b = await processOn(dir);
    const re = await b.call({ ...args, resend_unknown: true });
    expect(re.r.isError).toBe(true);
    expect(re.text).toMatch(/still running; nothing to resend yet/);
    release();
    expect((await sending).s).toMatchObject({ status: 'succeeded' });
    expect(a.writer.delivered.length + b.writer.delivered.length).toBe(2500);
  });

  it('a batch another process attempted and then died on is offered to resend_unknown by a server already running', async () => {
    const dir = dataDir();
    const server = await processOn(dir);
    const p = await server.call(args);
    // A terminal `call` (its own store) confirmed it and sent all three batches, then died before any answer.
    const terminal = new EmbeddedStore({ dataDir: dir });
    const rec = (await terminal.findWrites((await latestWrite(terminal))!.args_hash))[0]!;
    expect(await terminal.consume(rec.id, new Date().toISOString())).toBe(true);
    for (const i of [0, 1, 2]) await terminal.recordAttempt(rec.id, i, new Date().toISOString());
    await terminal.close();
    expect((await server.call({ ...args, confirm: p.s.confirm })).s.counts).toMatchObject({ unknown: 2500 });
    const re = await server.call({ ...args, resend_unknown: true });
    expect(re.r.isError, re.text).toBeFalsy();
    expect(re.s.preview.counts).toMatchObject({ recipients: 2500 });
  });
});

/** The one write a store's journal holds (tests open it on a fresh data directory). */
async function latestWrite(store: EmbeddedStore) {
  return ((store as unknown as { journal: { records: Map<string, { args_hash: string }> } }).journal.records.values().next().value);
}
