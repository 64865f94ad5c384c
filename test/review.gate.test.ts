import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeGate, type gateContext } from './helpers/gate-ctx.js';

// Review of the write gate (branch revB): each test here failed on the code it was written against.

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);
const send = (extra: Record<string, unknown> = {}) => ({
  vendor: 'clevertap', channel: 'push', recipients: { ids: ids(2500), id_type: 'identity' }, content: { title: 'Hi', body: 'Sale today' }, ...extra,
});
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

async function setup(opts: Parameters<typeof gateContext>[1] = {}) {
  const { cleanup, call, ...gate } = await fakeGate(opts);
  cleanups.push(...cleanup());
  return { ...gate, call: (args: Record<string, unknown>) => call('send_to_users', args) };
}

describe('resend_unknown resends only what the latest write with these arguments left unknown', () => {
  it('after a resend that succeeded, resend_unknown has nothing to resend (it must not preview the first write\'s unknown batch again)', async () => {
    const { writer, call } = await setup();
    writer.faults.set(1, 'unknown');
    const p = await call(send());
    expect((await call(send({ confirm: p.s.confirm }))).s.counts).toMatchObject({ succeeded: 1500, unknown: 1000 });
    writer.faults.clear();
    const re = await call(send({ resend_unknown: true }));
    expect((await call(send({ resend_unknown: true, confirm: re.s.confirm }))).s).toMatchObject({ status: 'succeeded', counts: { recipients: 1000 } });
    expect(new Set(writer.delivered).size).toBe(2500);
    // Every recipient has now been accepted once: a second resend_unknown must refuse, not offer u1000..u1999 again.
    const again = await call(send({ resend_unknown: true }));
    expect(again.r.isError).toBe(true);
    expect(again.text).toMatch(/nothing to resend/);
  });

  it('after a newer full send of the same arguments that succeeded, an older write\'s unknown batch is not offered again', async () => {
    const { writer, call } = await setup();
    writer.faults.set(1, 'unknown');
    const p = await call(send());
    await call(send({ confirm: p.s.confirm }));
    writer.faults.clear();
    // The person chose to send the whole thing again (a fresh preview and token), and it went through.
    const p2 = await call(send());
    expect((await call(send({ confirm: p2.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    const again = await call(send({ resend_unknown: true }));
    expect(again.r.isError).toBe(true);
    expect(again.text).toMatch(/nothing to resend/);
  });
});

describe('two servers on one data directory (embedded store)', () => {
  // Each EmbeddedStore keeps its own view of journal.jsonl; they decide under the data directory's lock after reading
  // each other's new lines (src/store-lock.ts), so two processes on one directory act on a token once.
  it('a token confirmed on one is not acted on again by another that opened the same journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'revB-gate-shared-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const a = await setup({ dir });
    const p = await a.call(send());
    // A second server (another client's, or a restarted one while the first still runs) on the same data directory.
    const b = await setup({ dir });
    expect((await a.call(send({ confirm: p.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    const onB = await b.call(send({ confirm: p.s.confirm }));
    expect(b.writer.delivered).toHaveLength(0);
    // As the same token again on one server: the outcome the other recorded, nothing sent again.
    expect(onB.s).toMatchObject({ status: 'succeeded', replayed: true, counts: { succeeded: 2500, pending: 0 } });
    expect(a.writer.delivered).toHaveLength(2500);
  });

  it('a server started before the preview (a terminal `call` previewed) finds the write, sends it once, and the other replays it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'revB-gate-shared-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await setup({ dir });
    const terminal = await setup({ dir });
    const p = await terminal.call(send());
    expect((await server.call(send({ confirm: p.s.confirm }))).s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    expect((await terminal.call(send({ confirm: p.s.confirm }))).s).toMatchObject({ status: 'succeeded', replayed: true });
    expect([...server.writer.delivered, ...terminal.writer.delivered]).toHaveLength(2500);
  });
});

describe('recipients_file changed while its send runs', () => {
  it('a batch is sent only to recipients the token bound (the file is read lazily after its hash was checked)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'revB-gate-file-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'r.csv');
    // 30,000 lines (~420 KB): more than one read-stream chunk, so later batches are read after the first is sent.
    const lines = (p: string) => `email\n${Array.from({ length: 30_000 }, (_, i) => `${p}${String(i).padStart(6, '0')}@x.io`).join('\n')}\n`;
    writeFileSync(file, lines('a'));
    const { writer, call } = await setup({ settings: { concurrency: 1 } });
    const args = { vendor: 'clevertap', channel: 'email', recipients: { id_type: 'email' }, recipients_file: file, content: { subject: 'S', body: 'B' } };
    const p = await call(args);
    expect(p.s.preview.counts).toMatchObject({ recipients: 30_000, batches: 30 });
    // An export job rewrites the file (same size, other people) while batch 0 is on the wire.
    writer.turn = async (i) => {
      if (i === 0) writeFileSync(file, lines('b'));
    };
    const r = await call({ ...args, confirm: p.s.confirm });
    const strangers = writer.delivered.filter((id) => !id.startsWith('a'));
    expect(strangers).toEqual([]);
    // What went out came from the file as previewed (read before the rewrite), in order, each once.
    const sent = writer.delivered.length;
    expect(sent % 1000).toBe(0);
    expect(writer.delivered).toEqual(Array.from({ length: sent }, (_, i) => `a${String(i).padStart(6, '0')}@x.io`));
    expect(r.r.isError).toBe(true);
    expect(r.text).toMatch(new RegExp(`changed while this send ran: batch ${sent / 1000} no longer holds the recipients previewed`));
    // The same token never sends the rest from the rewritten file.
    writer.turn = undefined;
    expect((await call({ ...args, confirm: p.s.confirm })).text).toMatch(/changed since the preview/);
    expect(writer.delivered).toHaveLength(sent);
  });
});
