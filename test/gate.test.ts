import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { connectInProcess } from './helpers/client.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { fakeGate, gateContext } from './helpers/gate-ctx.js';
import { writableAdapter } from './helpers/fake-writer.js';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);
const send = (extra: Record<string, unknown> = {}) => ({
  vendor: 'clevertap', channel: 'push', recipients: { ids: ids(2500), id_type: 'identity' }, content: { title: 'Hi', body: 'Sale today' }, ...extra,
});
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function setup(opts: Parameters<typeof gateContext>[1] = {}) {
  const { cleanup, ...gate } = await fakeGate(opts);
  cleanups.push(...cleanup());
  return gate;
}

describe('the write gate', () => {
  it('a preview writes nothing; the token writes once; the same token again replays and writes nothing', async () => {
    const { writer, call } = await setup();
    const p = await call('send_to_users', send());
    expect(p.s).toMatchObject({ status: 'confirmation_required', preview: { counts: { recipients: 2500, batches: 3, duplicates_removed: 0 } } });
    expect(p.text).toMatch(/Nothing was sent yet/);
    expect(writer.executed).toBe(0);
    const done = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(done.s).toMatchObject({ status: 'succeeded', counts: { recipients: 2500, succeeded: 2500, failed: 0, unknown: 0, pending: 0 } });
    expect(done.s.batches.map((b: any) => b.recipients)).toEqual([1000, 1000, 500]);
    expect(writer.delivered).toEqual(ids(2500));
    const again = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(again.s).toMatchObject({ status: 'succeeded', replayed: true });
    expect(writer.executed).toBe(3);
    expect(writer.delivered).toHaveLength(2500);
  });

  it('changed arguments, a forged token, a token for another tool and an expired token write nothing', async () => {
    let now = new Date('2026-12-01T12:00:00Z');
    const { writer, call } = await setup({ now: () => now });
    const p = await call('send_to_users', send());
    const swapped = await call('send_to_users', send({ content: { title: 'Hi', body: 'Sale TOMORROW' }, confirm: p.s.confirm }));
    expect(swapped.r.isError).toBe(true);
    expect(swapped.text).toMatch(/arguments differ/);
    const forged = p.s.confirm.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect((await call('send_to_users', send({ confirm: forged }))).text).toMatch(/not one this server issued/);
    expect((await call('set_campaign_status', { vendor: 'clevertap', id: '1', action: 'stop', confirm: p.s.confirm })).text).toMatch(/is for send_to_users/);
    now = new Date(now.getTime() + 10 * 60_000 + 1000);
    const expired = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(expired.text).toMatch(/expired/);
    expect(writer.executed).toBe(0);
  });

  it('a token holds until the very instant expires_at says, and not a millisecond past it', async () => {
    // A preview made mid-second: the token's expiry (kept in whole seconds) and expires_at must be the same instant.
    let now = new Date('2026-12-01T12:00:00.750Z');
    const { writer, call } = await setup({ now: () => now });
    const first = await call('send_to_users', send());
    const second = await call('send_to_users', send({ content: { title: 'Hi', body: 'Other' } }));
    const at = Date.parse(first.s.expires_at);
    expect(at % 1000).toBe(0);
    now = new Date(at - 1);
    expect((await call('send_to_users', send({ confirm: first.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    now = new Date(at + 1);
    const late = await call('send_to_users', send({ content: { title: 'Hi', body: 'Other' }, confirm: second.s.confirm }));
    expect(late.text).toContain(`expired at ${second.s.expires_at}`);
    expect(writer.executed).toBe(3);
  });

  it('a token from another secret is refused', async () => {
    const a = await setup({ key: Buffer.alloc(32, 1) });
    const b = await setup({ key: Buffer.alloc(32, 2) });
    const p = await a.call('send_to_users', send());
    expect((await b.call('send_to_users', send({ confirm: p.s.confirm }))).text).toMatch(/not one this server issued/);
    expect(b.writer.executed + a.writer.executed).toBe(0);
  });

  it('a token previewed on one project writes nothing on another reached under the same account label; on its own it still writes', async () => {
    // Two servers ("staging", "prod") on one data directory and secret, each with a clevertap account named "default".
    const dir = mkdtempSync(join(tmpdir(), 'gate-projects-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const staging = await setup({ dir });
    const prod = await setup({ dir });
    prod.adapter.project = 'another-project';
    const p = await staging.call('send_to_users', send());
    const crossed = await prod.call('send_to_users', send({ confirm: p.s.confirm }));
    expect(crossed.r.isError).toBe(true);
    expect(crossed.text).toMatch(/previewed on another clevertap project than the one the account "default" reaches now/);
    expect(prod.writer.executed + staging.writer.executed).toBe(0);
    // What prod previews itself is its own write: no note of staging's, and it sends.
    const own = await prod.call('send_to_users', send());
    const done = await prod.call('send_to_users', send({ confirm: own.s.confirm }));
    expect(done.s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    expect(prod.writer.executed).toBe(3);
    // The repeat guard is per project too: prod's send is no repeat on staging, it is one on prod.
    expect(JSON.stringify((await staging.call('send_to_users', send())).s.preview)).not.toMatch(/does it again/);
    expect(JSON.stringify((await prod.call('send_to_users', send())).s.preview)).toMatch(/confirming this token does it again/);
    // Staging's token still writes on staging.
    expect((await staging.call('send_to_users', send({ confirm: p.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    expect(staging.writer.delivered).toEqual(ids(2500));
  });

  it('writes journaled before tokens bound the project still resume, replay, resend their unknown batches and count as repeats', async () => {
    const { adapter, writer, call } = await setup({ settings: { concurrency: 1 } });
    const project = adapter.project;
    // As the journal held them then: no project in the hash, none in the plan.
    adapter.project = undefined as unknown as string;
    writer.faults.set(0, 'unknown');
    writer.faults.set(1, 'fatal');
    const p = await call('send_to_users', send());
    const r = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(r.s).toMatchObject({ counts: { unknown: 1000, failed: 1000, pending: 500 } });
    writer.faults.clear();
    adapter.project = project; // the upgrade
    const resumed = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(resumed.s).toMatchObject({ resumed: true, counts: { unknown: 1000, succeeded: 1500, pending: 0 } });
    expect((await call('send_to_users', send({ confirm: p.s.confirm }))).s).toMatchObject({ replayed: true });
    expect(JSON.stringify((await call('send_to_users', send())).s.preview)).toMatch(/confirming this token does it again/);
    const re = await call('send_to_users', send({ resend_unknown: true }));
    expect(re.s.preview.counts.recipients).toBe(1000);
    expect((await call('send_to_users', send({ resend_unknown: true, confirm: re.s.confirm }))).s).toMatchObject({ status: 'succeeded' });
    expect(writer.delivered).toEqual([...ids(1000, 1000), ...ids(500, 2000), ...ids(1000)]);
  });

  it('resend_unknown refuses when the resent send\'s recipients no longer fall into the batches it sent', async () => {
    const { writer, g, call } = await setup();
    writer.faults.set(1, 'unknown');
    const p = await call('send_to_users', send());
    expect((await call('send_to_users', send({ confirm: p.s.confirm }))).s.counts.unknown).toBe(1000);
    // As if the send had batched its recipients otherwise (its source rebuilt under rules changed since): batch 0's digest differs.
    const rec = (g.store as unknown as { journal: { records: Map<string, { plan: { digests: string[] } }> } }).journal.records.values().next().value!;
    rec.plan.digests[0] = 'batched-otherwise';
    const re = await call('send_to_users', send({ resend_unknown: true }));
    expect(re.r.isError).toBe(true);
    expect(re.text).toMatch(/no longer fall into the batches it sent \(batch 0 differs/);
    expect(writer.executed).toBe(3);
  });

  it('executes the plan it previewed, not one prepared again', async () => {
    const { writer, call } = await setup();
    const args = { vendor: 'clevertap', name: 'Cart push', channel: 'push', audience: { event: { name: 'Added To Cart' } }, content: { title: 'T', body: 'B' } };
    const p = await call('create_campaign', args);
    expect(writer.prepared).toBe(1);
    await call('create_campaign', { ...args, confirm: p.s.confirm });
    expect(writer.prepared).toBe(1);
    expect(writer.created).toHaveLength(1);
  });

  it('an unknown batch does not stop the others, is never resent with the token, and resend_unknown previews exactly its recipients', async () => {
    const { writer, call } = await setup();
    writer.faults.set(1, 'unknown');
    const p = await call('send_to_users', send());
    const r = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(r.s).toMatchObject({ status: 'partial', counts: { succeeded: 1500, unknown: 1000, pending: 0 } });
    expect(r.text).toMatch(/never resent with this token/);
    writer.faults.clear();
    const again = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(again.s).toMatchObject({ replayed: true, counts: { unknown: 1000 } });
    expect(writer.executed).toBe(3);
    const re = await call('send_to_users', send({ resend_unknown: true }));
    expect(re.s.preview.counts.recipients).toBe(1000);
    const sent = await call('send_to_users', send({ resend_unknown: true, confirm: re.s.confirm }));
    expect(sent.s).toMatchObject({ status: 'succeeded', counts: { recipients: 1000 } });
    expect(writer.delivered.slice(1500)).toEqual(ids(1000, 1000));
    expect(new Set(writer.delivered).size).toBe(2500);
  });

  it('a refusal that applies to every batch stops the send; the same token, once it is fixed, sends the refused batch and the rest', async () => {
    const { writer, g, call } = await setup({ settings: { concurrency: 1 } });
    writer.faults.set(1, 'fatal');
    const p = await call('send_to_users', send());
    const r = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(r.s).toMatchObject({ status: 'partial', counts: { succeeded: 1000, failed: 1000, pending: 500 } });
    expect(r.text).toMatch(/not sent can be sent/);
    writer.faults.clear();
    // DESIGN: "batches never sent, or refused by the vendor before it acted, are sent" (a 401 is refused before acting).
    const resumed = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(resumed.s).toMatchObject({ status: 'succeeded', resumed: true, counts: { succeeded: 2500, failed: 0, pending: 0 } });
    expect(writer.delivered).toEqual([...ids(1000), ...ids(1000, 1000), ...ids(500, 2000)]);
    expect(new Set(writer.delivered).size).toBe(2500);
    void g;
  });

  it('batches still waiting their turn when a refusal for all arrives are halted, never sent: pending, and the same token sends them', async () => {
    // Four at once, each waiting "for its turn" (a paced request): batch 0 is refused for all while 1-3 still wait.
    const many = (extra: Record<string, unknown> = {}) => send({ recipients: { ids: ids(6000), id_type: 'identity' }, ...extra });
    const { writer, call } = await setup({ settings: { concurrency: 4 } });
    writer.faults.set(0, 'fatal');
    const p = await call('send_to_users', many());
    let open!: () => void;
    let go!: () => void;
    const later = new Promise<void>((r) => (open = r));
    const zero = new Promise<void>((r) => (go = r));
    let queued = 0;
    writer.turn = (i) => {
      if (i === 0) return zero;
      if (++queued === 3) go();
      return later;
    };
    const running = call('send_to_users', many({ confirm: p.s.confirm }));
    // Batch 0 goes out once 1-3 are queued behind their turn, and is refused; they get their turn only after that answer.
    await vi.waitFor(() => expect(writer.executed).toBe(1));
    await new Promise((r) => setTimeout(r, 20));
    open();
    const r = await running;
    expect(writer.halted).toBe(3);
    expect(writer.executed).toBe(1);
    expect(r.s.counts).toMatchObject({ recipients: 6000, succeeded: 0, failed: 1000, pending: 5000 });
    expect(r.s.batches.map((b: { state: string }) => b.state)).toEqual(['failed', 'pending', 'pending', 'pending', 'pending', 'pending']);
    writer.faults.clear();
    writer.turn = undefined;
    const resumed = await call('send_to_users', many({ confirm: p.s.confirm }));
    expect(resumed.s).toMatchObject({ status: 'succeeded', resumed: true, counts: { succeeded: 6000 } });
    expect(new Set(writer.delivered).size).toBe(6000);
    expect(writer.delivered).toHaveLength(6000);
  });

  it('a batch refused before the vendor acted (429 after retries) is sent again on resume', async () => {
    const { writer, call } = await setup();
    writer.faults.set(2, 'not_acted');
    const p = await call('send_to_users', send());
    await call('send_to_users', send({ confirm: p.s.confirm }));
    writer.faults.clear();
    const r = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(r.s).toMatchObject({ status: 'succeeded', resumed: true });
    expect(writer.delivered).toHaveLength(2500);
  });

  it('none accepted is an error result with the outcome', async () => {
    const { writer, call } = await setup();
    for (const i of [0, 1, 2]) writer.faults.set(i, 'fail');
    const p = await call('send_to_users', send());
    const r = await call('send_to_users', send({ confirm: p.s.confirm }));
    expect(r.r.isError).toBe(true);
    expect(r.s).toMatchObject({ status: 'failed', counts: { failed: 2500 } });
  });

  it('two calls racing on one token act once; the loser gets the recorded outcome', async () => {
    const { writer, call } = await setup();
    let release!: () => void;
    writer.gate = new Promise((r) => (release = r));
    const p = await call('send_to_users', send());
    const a = call('send_to_users', send({ confirm: p.s.confirm }));
    const b = call('send_to_users', send({ confirm: p.s.confirm }));
    await new Promise((r) => setTimeout(r, 20));
    release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(writer.executed).toBe(3);
    expect(writer.delivered).toHaveLength(2500);
    expect([ra.s.replayed, rb.s.replayed].filter(Boolean)).toHaveLength(1);
    expect(rb.s.counts.succeeded + ra.s.counts.succeeded).toBe(5000);
  });

  it('a token stays valid across a restart on the same data directory, and the journal resumes the send', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await setup({ dir });
    first.writer.faults.set(1, 'fatal');
    const p = await first.call('send_to_users', send());
    await first.call('send_to_users', send({ confirm: p.s.confirm }));
    first.g.close();
    const second = await setup({ dir });
    const r = await second.call('send_to_users', send({ confirm: p.s.confirm }));
    // The refused batch's "not acted" survives in the journal on disk: the restarted server sends it and the rest.
    expect(r.s).toMatchObject({ resumed: true, counts: { succeeded: 2500, failed: 0 } });
    expect(second.writer.delivered).toEqual([...ids(1000, 1000), ...ids(500, 2000)]);
  });

  it('recipients_file: CSV with a header, de-duplicated, hash-bound; a changed file is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-file-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'r.csv');
    writeFileSync(file, `email,name\n${ids(1200).map((u) => `${u}@x.io,${u}`).join('\n')}\nu0@x.io,dup\n`);
    const { writer, call } = await setup();
    const args = { vendor: 'clevertap', channel: 'email', recipients: { id_type: 'email' }, recipients_file: file, content: { subject: 'S', body: 'B' } };
    const p = await call('send_to_users', args);
    expect(p.s.preview.counts).toMatchObject({ recipients: 1200, duplicates_removed: 1, batches: 2 });
    appendFileSync(file, 'new@x.io,late\n');
    const changed = await call('send_to_users', { ...args, confirm: p.s.confirm });
    expect(changed.text).toContain(`the recipients_file ${file} changed since the preview`);
    expect(changed.text).toMatch(/nothing was written/);
    // The file and something else: the token is for other arguments altogether.
    const both = await call('send_to_users', { ...args, content: { subject: 'S2', body: 'B' }, confirm: p.s.confirm });
    expect(both.text).toMatch(/arguments differ/);
    expect(writer.executed).toBe(0);
  });

  it('bad input is refused at preview and reaches no vendor', async () => {
    const { writer, call } = await setup({ settings: { maxRecipients: 2000 } });
    expect((await call('send_to_users', send())).text).toMatch(/CAMPAIGN_MCP_MAX_RECIPIENTS/);
    expect((await call('send_to_users', send({ recipients: { ids: ['a@x'], id_type: 'phone' } }))).text).toMatch(/cannot match id_type phone; it takes identity, email/);
    expect((await call('send_to_users', send({ recipients: { ids: ['not-an-email'], id_type: 'email' } }))).text).toMatch(/not an email address/);
    expect((await call('send_to_users', send({ recipients: { ids: [' ', ''], id_type: 'identity' } }))).text).toMatch(/no recipients/);
    expect((await call('send_to_users', send({ resend_unknown: true, recipients: { ids: ['a'], id_type: 'identity' } }))).text).toMatch(/nothing to resend/);
    expect(writer.executed).toBe(0);
  });

  it('CAMPAIGN_MCP_WRITE_VENDORS refuses other vendors and says which setting to change', async () => {
    const { writer, call } = await setup({ settings: { writeVendors: ['batch'] } });
    expect((await call('send_to_users', send())).text).toMatch(/not allowed by CAMPAIGN_MCP_WRITE_VENDORS/);
    expect(writer.prepared).toBe(0);
  });

  it('CAMPAIGN_MCP_CONFIRM=always refuses to act through a client that cannot ask the person', async () => {
    const { writer, call } = await setup({ settings: { ask: 'always' } });
    const p = await call('send_to_users', send());
    expect((await call('send_to_users', send({ confirm: p.s.confirm }))).text).toMatch(/CAMPAIGN_MCP_CONFIRM=always needs a client that can ask/);
    expect(writer.executed).toBe(0);
  });

  it('read-only mode registers no write tool', async () => {
    const adapter = writableAdapter();
    const g = gateContext([adapter]);
    cleanups.push(g.cleanup);
    const client: Client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: true }));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('send_to_users');
    expect(names).not.toContain('create_campaign');
    expect(names).not.toContain('set_campaign_status');
    await client.close();
  });
});
