import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { GateSettings } from '../src/confirm.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { gateContext } from './helpers/gate-ctx.js';
import { writableAdapter } from './helpers/fake-writer.js';

// Rules of the write gate (DESIGN, "The write gate") that no other file pins down: each test here fails when the
// rule is broken in src/confirm.ts or src/gate-execute.ts. Time is the gate's injected `now`, moved by hand.

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);
/** 2,500 recipients: three batches of the fake writer's 1,000. */
const send = (extra: Record<string, unknown> = {}) => ({
  vendor: 'clevertap', channel: 'push', recipients: { ids: ids(2500), id_type: 'identity' }, content: { title: 'Hi', body: 'Sale today' }, ...extra,
});
const TTL_MS = 600_000;

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** A gate on the fake writer, a clock the test moves (`clock.now`), and an in-memory MCP client that cannot ask. */
async function setup(settings: Partial<GateSettings> = {}) {
  const clock = { now: new Date('2026-12-01T12:00:00Z') };
  const adapter = writableAdapter();
  const g = gateContext([adapter], { now: () => clock.now, settings: { ask: 'never', ttlMs: TTL_MS, ...settings } });
  const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
  cleanups.push(() => client.close(), g.cleanup);
  const call = async (args: Record<string, unknown>, c: Client = client) => {
    const r = await c.callTool({ name: 'send_to_users', arguments: args });
    return { r, s: r.structuredContent as any, text: (r.content as Array<{ text: string }>)[0]!.text };
  };
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  return { g, writer: adapter.writer, call, advance, clock };
}

describe('expiry bounds the first confirmation only', () => {
  it('a confirmed token replays its recorded outcome after its expiry, and writes nothing', async () => {
    const { writer, call, advance } = await setup();
    const p = await call(send());
    const done = await call(send({ confirm: p.s.confirm }));
    expect(done.s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    advance(TTL_MS + 60_000);
    const again = await call(send({ confirm: p.s.confirm }));
    expect(again.r.isError, again.text).toBeFalsy();
    expect(again.s).toMatchObject({ status: 'succeeded', replayed: true, counts: { succeeded: 2500 } });
    expect(writer.executed).toBe(3);
    expect(writer.delivered).toHaveLength(2500);
  });

  it('a confirmed token resumes the batches never sent after its expiry', async () => {
    const { writer, call, advance } = await setup({ concurrency: 1 });
    writer.faults.set(1, 'fatal');
    const p = await call(send());
    const first = await call(send({ confirm: p.s.confirm }));
    expect(first.s.counts).toMatchObject({ succeeded: 1000, failed: 1000, pending: 500 });
    writer.faults.clear();
    advance(TTL_MS * 3);
    const resumed = await call(send({ confirm: p.s.confirm }));
    expect(resumed.r.isError, resumed.text).toBeFalsy();
    expect(resumed.s).toMatchObject({ status: 'succeeded', resumed: true, counts: { succeeded: 2500, pending: 0 } });
    expect(writer.delivered).toEqual(ids(2500));
  });

  it('an unconfirmed token past its expiry is refused with the expiry message, and writes nothing', async () => {
    const { writer, call, advance } = await setup();
    const p = await call(send());
    advance(TTL_MS + 1_000);
    const late = await call(send({ confirm: p.s.confirm }));
    expect(late.r.isError).toBe(true);
    expect(late.text).toContain(`this confirm token expired at ${p.s.expires_at}; nothing was written`);
    expect(writer.executed).toBe(0);
    // Just inside the expiry the same kind of token still acts.
    const q = await call(send({ content: { title: 'Hi', body: 'Other' } }));
    advance(TTL_MS - 1_000);
    expect((await call(send({ content: { title: 'Hi', body: 'Other' }, confirm: q.s.confirm }))).s.status).toBe('succeeded');
  });
});

/** A client that can be asked (elicitation); counts the questions and approves each one. */
async function askingClient(g: ReturnType<typeof gateContext>, modern: boolean, seen: string[]): Promise<Client> {
  const c = new Client({ name: 'person', version: '1' }, { capabilities: { elicitation: { form: {} } }, ...(modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}) });
  c.setRequestHandler('elicitation/create', async (req) => {
    seen.push(String((req.params as { message?: string }).message));
    return { action: 'accept', content: { approve: true } };
  });
  if (modern) {
    const handler = createMcpHandler(() => createServer(g.ctx, allTools, { readOnly: false }));
    cleanups.push(() => handler.close());
    await c.connect(new StreamableHTTPClientTransport(new URL('http://in-process/mcp'), { fetch: (u, i) => handler.fetch(new Request(u, i)) }));
  } else {
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([createServer(g.ctx, allTools, { readOnly: false }).connect(b), c.connect(a)]);
  }
  cleanups.push(() => c.close());
  return c;
}

describe('the person is asked before the first confirmation only', () => {
  for (const modern of [false, true]) {
    for (const ask of ['auto', 'always'] as const) {
      it(`CAMPAIGN_MCP_CONFIRM=${ask} (${modern ? '2026-07-28 input_required' : '2025-11-25 elicitation'}): a resume and a replay of a confirmed write do not ask again`, async () => {
        const { g, writer, call } = await setup({ ask, concurrency: 1 });
        const seen: string[] = [];
        const person = await askingClient(g, modern, seen);
        writer.faults.set(1, 'fatal');
        const p = await call(send(), person);
        expect(seen).toHaveLength(0);
        const first = await call(send({ confirm: p.s.confirm }), person);
        expect(seen).toHaveLength(1);
        expect(first.s.counts).toMatchObject({ succeeded: 1000, pending: 500 });
        writer.faults.clear();
        const resumed = await call(send({ confirm: p.s.confirm }), person);
        expect(resumed.s).toMatchObject({ status: 'succeeded', resumed: true });
        const replayed = await call(send({ confirm: p.s.confirm }), person);
        expect(replayed.s).toMatchObject({ status: 'succeeded', replayed: true });
        expect(seen).toHaveLength(1);
        expect(writer.delivered).toEqual(ids(2500));
      });
    }
  }

  it('CAMPAIGN_MCP_CONFIRM=always: once the person approved, the token replays through a client that cannot ask', async () => {
    const { g, writer, call } = await setup({ ask: 'always' });
    const seen: string[] = [];
    const person = await askingClient(g, false, seen);
    const p = await call(send(), person);
    await call(send({ confirm: p.s.confirm }), person);
    expect(seen).toHaveLength(1);
    // `call` without a client argument goes through the plain in-memory client (no elicitation capability).
    const again = await call(send({ confirm: p.s.confirm }));
    expect(again.r.isError, again.text).toBeFalsy();
    expect(again.s).toMatchObject({ status: 'succeeded', replayed: true });
    expect(writer.executed).toBe(3);
  });
});

describe('resend_unknown is part of what the token binds', () => {
  /** A send whose batch 1 is unknown: resend_unknown then has something to preview. */
  async function withUnknown() {
    const s = await setup();
    s.writer.faults.set(1, 'unknown');
    const p = await s.call(send());
    expect((await s.call(send({ confirm: p.s.confirm }))).s.counts).toMatchObject({ succeeded: 1500, unknown: 1000 });
    s.writer.faults.clear();
    return s;
  }

  it('a token issued for a resend_unknown preview is refused without resend_unknown', async () => {
    const { writer, call } = await withUnknown();
    const re = await call(send({ resend_unknown: true }));
    expect(re.s.preview.counts.recipients).toBe(1000);
    const without = await call(send({ confirm: re.s.confirm }));
    expect(without.r.isError).toBe(true);
    expect(without.text).toMatch(/arguments differ from the ones this token was issued for; nothing was written/);
    expect(writer.delivered).toHaveLength(1500);
    // With resend_unknown, as issued, it sends exactly the unknown batch.
    expect((await call(send({ resend_unknown: true, confirm: re.s.confirm }))).s).toMatchObject({ status: 'succeeded', counts: { recipients: 1000 } });
    expect(writer.delivered.slice(1500)).toEqual(ids(1000, 1000));
  });

  it('a token issued for a plain preview is refused with resend_unknown', async () => {
    const { writer, call } = await withUnknown();
    const plain = await call(send());
    const withFlag = await call(send({ resend_unknown: true, confirm: plain.s.confirm }));
    expect(withFlag.r.isError).toBe(true);
    expect(withFlag.text).toMatch(/arguments differ from the ones this token was issued for; nothing was written/);
    expect(writer.delivered).toHaveLength(1500);
  });
});

describe('the write time budget (callBudgetMs)', () => {
  it('no batch starts once the budget is spent; those not started stay pending and the same token sends them', async () => {
    const { writer, call, advance } = await setup({ concurrency: 1, callBudgetMs: 5_000 });
    const p = await call(send());
    // Batch 0 takes 6 s on the gate's clock: over the 5 s budget, well under the 40 s default.
    writer.turn = async (i) => {
      if (i === 0) advance(6_000);
    };
    const cut = await call(send({ confirm: p.s.confirm }));
    expect(writer.executed).toBe(1);
    expect(cut.s).toMatchObject({ status: 'partial', counts: { recipients: 2500, succeeded: 1000, pending: 1500, unknown: 0, failed: 0 } });
    expect(cut.s.batches.map((b: { state: string }) => b.state)).toEqual(['succeeded', 'pending', 'pending']);
    writer.turn = undefined;
    const rest = await call(send({ confirm: p.s.confirm }));
    expect(rest.s).toMatchObject({ status: 'succeeded', resumed: true, counts: { succeeded: 2500, pending: 0 } });
    expect(writer.delivered).toEqual(ids(2500));
  });

  it('within the budget every batch is sent in one call', async () => {
    const { writer, call, advance } = await setup({ concurrency: 1, callBudgetMs: 5_000 });
    const p = await call(send());
    writer.turn = async () => void advance(1_000);
    expect((await call(send({ confirm: p.s.confirm }))).s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    expect(writer.executed).toBe(3);
  });
});

describe('two previews of one write', () => {
  it('the second token acts only once a preview said the first was confirmed; a new preview says so and its token sends again', async () => {
    const { writer, call, advance } = await setup();
    // A model that previewed twice holds two tokens for the same send.
    const p1 = await call(send());
    const p2 = await call(send());
    expect(p2.s.preview.notes ?? []).not.toContainEqual(expect.stringMatching(/confirmed at/));
    advance(1_000);
    expect((await call(send({ confirm: p1.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    advance(1_000);
    const second = await call(send({ confirm: p2.s.confirm }));
    expect(second.r.isError).toBe(true);
    expect(second.text).toMatch(/the same send_to_users with these exact arguments was confirmed at .* after this token's preview; nothing was written/);
    expect(writer.delivered).toHaveLength(2500);
    // A preview made after it says so: the person who confirms that one chose to send it again.
    const p3 = await call(send());
    expect(p3.s.preview.notes).toContainEqual(expect.stringMatching(/^the same send_to_users with these exact arguments was confirmed at .*: confirming this token does it again\.$/));
    expect(p3.text).toMatch(/confirming this token does it again/);
    expect((await call(send({ confirm: p3.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    expect(writer.delivered).toHaveLength(5000);
    // The first token still replays its own outcome.
    expect((await call(send({ confirm: p1.s.confirm }))).s).toMatchObject({ status: 'succeeded', replayed: true });
    expect(writer.delivered).toHaveLength(5000);
  });

  it('two tokens confirmed at once: only one sends', async () => {
    const { writer, call, advance } = await setup();
    const p1 = await call(send());
    const p2 = await call(send());
    advance(1_000);
    const both = await Promise.all([call(send({ confirm: p1.s.confirm })), call(send({ confirm: p2.s.confirm }))]);
    expect(both.filter((r) => r.r.isError)).toHaveLength(1);
    expect(writer.delivered).toHaveLength(2500);
  });

  it('a confirmation in the same millisecond as the second preview still blocks its token (ids noted, not times)', async () => {
    const { writer, call, advance } = await setup();
    const p1 = await call(send());
    advance(1_000);
    const p2 = await call(send());
    await call(send({ confirm: p1.s.confirm }));
    advance(1_000);
    const second = await call(send({ confirm: p2.s.confirm }));
    expect(second.r.isError).toBe(true);
    expect(writer.delivered).toHaveLength(2500);
  });

  it('a resend_unknown token previewed before a newer full send was confirmed does not reach those recipients a third time', async () => {
    const { writer, call, advance } = await setup();
    writer.faults.set(1, 'unknown_after_acting');
    const p1 = await call(send());
    advance(1_000);
    await call(send({ confirm: p1.s.confirm }));
    writer.faults.clear();
    advance(1_000);
    const re = await call(send({ resend_unknown: true }));
    expect(re.r.isError, re.text).toBeFalsy();
    advance(1_000);
    const full = await call(send());
    advance(1_000);
    expect((await call(send({ confirm: full.s.confirm }))).s.status).toBe('succeeded');
    const before = writer.delivered.length;
    advance(1_000);
    const late = await call(send({ resend_unknown: true, confirm: re.s.confirm }));
    expect(late.r.isError).toBe(true);
    expect(writer.delivered.length).toBe(before);
  });
});

describe('the sandbox and a real account on one data directory', () => {
  it('a sandbox token never confirms the real account\'s write, and a sandbox write is no repeat of a real one', async () => {
    // The same data directory and key, the same vendor and account name ("default"): only the sandbox setting differs.
    const dir = mkdtempSync(join(tmpdir(), 'gate-sandbox-'));
    const clock = { now: new Date('2026-12-01T12:00:00Z') };
    const open = async (sandbox: boolean) => {
      const adapter = writableAdapter();
      const g = gateContext([adapter], { dir, now: () => clock.now, settings: { ask: 'never', sandbox } });
      const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
      cleanups.push(() => client.close(), g.close);
      const call = async (args: Record<string, unknown>) => (await client.callTool({ name: 'send_to_users', arguments: args }));
      return { writer: adapter.writer, call };
    };
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sandbox = await open(true);
    const real = await open(false);
    const token = ((await sandbox.call(send())).structuredContent as any).confirm;
    const refused = await real.call(send({ confirm: token }));
    expect(refused.isError).toBe(true);
    expect((refused.content as Array<{ text: string }>)[0]!.text).toMatch(/the arguments differ/);
    expect(real.writer.delivered).toHaveLength(0);
    // Confirmed on the sandbox, the same arguments on the real account are no repeat: its preview says nothing of it.
    expect(((await sandbox.call(send({ confirm: token }))).structuredContent as any).status).toBe('succeeded');
    const p = (await real.call(send())).structuredContent as any;
    expect(p.preview.notes ?? []).not.toContainEqual(expect.stringMatching(/confirmed at/));
    expect(((await real.call(send({ confirm: p.confirm }))).structuredContent as any).status).toBe('succeeded');
    expect(real.writer.delivered).toHaveLength(2500);
  });
});
