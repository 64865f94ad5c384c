import { afterEach, describe, expect, it } from 'vitest';
import type { GateSettings } from '../src/confirm.js';
import { HttpClient } from '../src/http.js';
import { serveSim } from '../src/sandbox/sim.js';
import { createServer } from '../src/server.js';
import { StoreError } from '../src/store.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import type { VendorAdapter } from '../src/vendors/vendor.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { FakeWriter, writableAdapter } from './helpers/fake-writer.js';
import { FakeAdapter } from './helpers/fake-adapter.js';
import { gateClient, gateContext } from './helpers/gate-ctx.js';

// Gate rules a mutation review found unpinned: each test fails when its rule is broken (the mutation named above it).

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);
const send = (extra: Record<string, unknown> = {}) => ({
  vendor: 'clevertap', channel: 'push', recipients: { ids: ids(2500), id_type: 'identity' }, content: { title: 'Hi', body: 'Sale today' }, ...extra,
});

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** A gate on `adapters` and an in-memory MCP client that cannot ask; `call` sends send_to_users. */
async function setup(adapters: VendorAdapter[], settings: Partial<GateSettings> = {}) {
  const g = gateContext(adapters, { settings: { ask: 'never', ...settings } });
  const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
  cleanups.push(() => client.close(), g.cleanup);
  const call = async (args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'send_to_users', arguments: args });
    return { r, s: r.structuredContent as any, text: (r.content as Array<{ text: string }>)[0]!.text };
  };
  return { g, call };
}

/** One vendor with two accounts, each its own fake writer. */
function twoAccounts() {
  const of = (account: string) => {
    const a = new FakeAdapter('clevertap', account, []) as FakeAdapter & { writer: FakeWriter };
    (a as { writer: FakeWriter }).writer = new FakeWriter();
    return a;
  };
  return { a: of('A'), b: of('B') };
}

describe('a confirm token binds the account it was issued for', () => {
  // Mutation: `account` dropped from hashOf in src/confirm.ts.
  it('previewed on account A, confirmed with account B: refused as other arguments, nothing written to either', async () => {
    const { a, b } = twoAccounts();
    const { call } = await setup([a, b]);
    const p = await call(send({ account: 'A' }));
    expect(p.s.status).toBe('confirmation_required');
    const other = await call(send({ account: 'B', confirm: p.s.confirm }));
    expect(other.r.isError).toBe(true);
    expect(other.text).toContain('the arguments differ from the ones this token was issued for; nothing was written');
    expect(a.writer.executed + b.writer.executed).toBe(0);
    expect(a.writer.delivered).toEqual([]);
    expect(b.writer.delivered).toEqual([]);
    // The token still acts on its own account.
    const own = await call(send({ account: 'A', confirm: p.s.confirm }));
    expect(own.s).toMatchObject({ status: 'succeeded', counts: { succeeded: 2500 } });
    expect(b.writer.executed).toBe(0);
  });

  // Mutation: `account` dropped from the unknownOf base hash (alone: A's resend finds nothing; with hashOf: B finds A's).
  it('resend_unknown offers only the same account\'s unknown batches', async () => {
    const { a, b } = twoAccounts();
    const { call } = await setup([a, b], { concurrency: 1 });
    a.writer.faults.set(1, 'unknown');
    const p = await call(send({ account: 'A' }));
    const done = await call(send({ account: 'A', confirm: p.s.confirm }));
    expect(done.s).toMatchObject({ status: 'partial', counts: { succeeded: 1500, unknown: 1000 } });
    const onB = await call(send({ account: 'B', resend_unknown: true }));
    expect(onB.r.isError).toBe(true);
    expect(onB.text).toContain('no earlier confirmed send with these exact arguments has batches of unknown outcome');
    const onA = await call(send({ account: 'A', resend_unknown: true }));
    expect(onA.r.isError, onA.text).toBeFalsy();
    expect(onA.s).toMatchObject({ status: 'confirmation_required', preview: { counts: { recipients: 1000 } } });
    expect(b.writer.executed).toBe(0);
  });
});

describe('the project a token binds', () => {
  // Mutation: a vendor's selector (account id, workspace, app key, token) or its host dropped from projectDigest.
  it('differs per account id, workspace, app key or token and per host, is the same for the same account, and holds no secret', async () => {
    const http = new HttpClient();
    const { AltcraftAdapter } = await import('../src/vendors/altcraft.js');
    const { BatchAdapter } = await import('../src/vendors/batch.js');
    const { MoEngageAdapter } = await import('../src/vendors/moengage.js');
    const makers: Array<[string, (selector: string, host?: string) => VendorAdapter]> = [
      ['clevertap', (s, host) => new CleverTapAdapter({ account: 'default', accountId: s, passcode: 'same-passcode', ...(host && { baseUrl: host }) }, http)],
      ['moengage', (s, host) => new MoEngageAdapter({ account: 'default', workspaceId: s, apiKey: 'same-moe-key', ...(host && { baseUrl: host }) }, http)],
      ['batch', (s, host) => new BatchAdapter({ account: 'default', apiKey: s, restApiKey: 'same-rest-key', ...(host && { baseUrl: host }) }, http)],
      ['altcraft', (s, host) => new AltcraftAdapter({ account: 'default', token: s, ...(host && { baseUrl: host }) }, http)],
    ];
    // Known answers (sha-256 of vendor, host and selector, 22 base64url characters): a digest that changes strands
    // every token and journal record made before it, and one built another way may hold its selector.
    const KNOWN: Record<string, string> = { clevertap: 'jKULvCJESZqj3AxqhU4_4R', moengage: 'ipEnMnJZAyIoLd_uaJ02gX', batch: '3T31hUQRN4QaGrRymjILUU', altcraft: 'YKJ9cw9ynlPgbtGLWol52N' };
    /** Every 6-character run of the selector, as text, base64, base64url and hex: none may show in a digest. */
    const runs = (v: string) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url'), Buffer.from(v).toString('hex')]
      .flatMap((enc) => Array.from({ length: Math.max(0, enc.length - 5) }, (_, i) => enc.slice(i, i + 6)));
    for (const [vendor, make] of makers) {
      const staging = make('STAGING-secret-selector');
      expect(staging.project, vendor).toBe(KNOWN[vendor]);
      for (const run of runs('STAGING-secret-selector')) expect(staging.project, `${vendor} holds ${run}`).not.toContain(run);
      expect(make('STAGING-secret-selector').project, vendor).toBe(staging.project);
      expect(make('PROD-secret-selector').project, vendor).not.toBe(staging.project);
      expect(make('STAGING-secret-selector', 'https://proxy.example').project, vendor).not.toBe(staging.project);
      expect(staging.project, vendor).toMatch(/^[\w-]{22}$/);
      expect(staging.project).not.toContain('STAGING');
    }
  });
});

describe('a confirm token binds the campaign_id of a send', () => {
  // Mutation: tools/send-to-users.ts hashes the arguments with `campaign_id: undefined`.
  it('previewed with campaign_id X, confirmed with Y: refused, nothing sent', async () => {
    const adapter = writableAdapter();
    const { call } = await setup([adapter]);
    const p = await call(send({ campaign_id: 'cmp-X' }));
    expect(p.s.status).toBe('confirmation_required');
    const other = await call(send({ campaign_id: 'cmp-Y', confirm: p.s.confirm }));
    expect(other.r.isError).toBe(true);
    expect(other.text).toContain('the arguments differ from the ones this token was issued for; nothing was written');
    const none = await call(send({ confirm: p.s.confirm }));
    expect(none.r.isError).toBe(true);
    expect(none.text).toContain('the arguments differ');
    expect(adapter.writer.executed).toBe(0);
    expect(adapter.writer.delivered).toEqual([]);
  });
});

describe('the overall status of a write', () => {
  // Mutation: src/write-result.ts reports "none succeeded, some unknown" as failed.
  it('every batch unknown: status unknown, not an error (DESIGN: isError only for failed), and the text says check in the vendor', async () => {
    const adapter = writableAdapter();
    for (const i of [0, 1, 2]) adapter.writer.faults.set(i, 'unknown');
    const { call } = await setup([adapter]);
    const p = await call(send());
    const done = await call(send({ confirm: p.s.confirm }));
    expect(done.s).toMatchObject({ status: 'unknown', counts: { recipients: 2500, succeeded: 0, failed: 0, unknown: 2500, pending: 0 } });
    expect(done.r.isError).toBeFalsy();
    expect(done.text.startsWith('UNKNOWN: 0 of 2500 accepted, 0 failed, 2500 unknown, 0 not sent.')).toBe(true);
    expect(done.text).toContain('Unknown batches may have been delivered: check in the vendor. They are never resent with this token');
    // Replayed, the same.
    const again = await call(send({ confirm: p.s.confirm }));
    expect(again.s).toMatchObject({ status: 'unknown', replayed: true });
    expect(again.r.isError).toBeFalsy();
    expect(adapter.writer.executed).toBe(3);
  });
});

describe('a journal that cannot record an outcome stops the send', () => {
  // Mutation: src/gate-execute.ts no longer calls stop() when recordOutcome fails.
  it('recordOutcome failing from batch 2 on, concurrency 1: STOPPED, batches after it pending and never sent', async () => {
    const adapter = writableAdapter();
    const { g, call } = await setup([adapter], { concurrency: 1 });
    const args = send({ recipients: { ids: ids(5000), id_type: 'identity' } });
    const p = await call(args);
    const record = g.store.recordOutcome.bind(g.store);
    g.store.recordOutcome = async (id, part, ...rest) => {
      if (part >= 2) throw new StoreError('the disk is full');
      return record(id, part, ...rest);
    };
    const done = await call({ ...args, confirm: p.s.confirm });
    expect(done.text.startsWith('STOPPED: the journal could not be written (the disk is full), so no further batch was sent.'), done.text).toBe(true);
    expect(done.text).toContain('2000 of 5000 accepted, 1000 unknown, 2000 not sent (batches 3-4)');
    expect(done.s.counts).toMatchObject({ succeeded: 2000, unknown: 1000, pending: 2000 });
    // Batch 2 went out (its answer not journaled); 3 and 4 never did.
    expect(adapter.writer.executed).toBe(3);
    expect(adapter.writer.delivered).toEqual(ids(3000));
  });
});

describe('maxRecipients bounds one send, inclusive', () => {
  // Mutation: `counted.count > maxRecipients` in src/confirm.ts becomes `>=`.
  it('exactly maxRecipients previews; one more is refused', async () => {
    const adapter = writableAdapter();
    const { call } = await setup([adapter], { maxRecipients: 2500 });
    const exact = await call(send());
    expect(exact.r.isError, exact.text).toBeFalsy();
    expect(exact.s).toMatchObject({ status: 'confirmation_required', preview: { counts: { recipients: 2500 } } });
    const over = await call(send({ recipients: { ids: ids(2501), id_type: 'identity' } }));
    expect(over.r.isError).toBe(true);
    expect(over.text).toContain('2501 recipients is more than the 2500 one send may reach (CAMPAIGN_MCP_MAX_RECIPIENTS)');
    expect(adapter.writer.prepared).toBe(1);
  });
});

describe('a 404 on a write is fatal', () => {
  // Mutation: 404 removed from FATAL_STATUSES in src/vendors/write-outcome.ts.
  it('CleverTap answering its send route 404: the batch fails, not acted on, and the send stops there', async () => {
    const sim = await serveSim(() => ({ status: 404, body: { status: 'fail', error: 'Not Found' } }));
    const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50 });
    const adapter = new CleverTapAdapter({ account: 'default', accountId: 'TEST-000-000-404Z', passcode: 'gaps-passcode-404', baseUrl: sim.url }, http);
    const { client, close } = await gateClient([adapter], { concurrency: 1 }, [http, sim]);
    cleanups.push(close);
    const args = send({ recipients: { ids: ids(3000), id_type: 'identity' } });
    const p = await client.callTool({ name: 'send_to_users', arguments: args });
    const confirm = (p.structuredContent as { confirm: string }).confirm;
    const r = await client.callTool({ name: 'send_to_users', arguments: { ...args, confirm } });
    const s = r.structuredContent as any;
    expect(s).toMatchObject({ status: 'failed', counts: { recipients: 3000, succeeded: 0, failed: 1000, unknown: 0, pending: 2000 } });
    expect(r.isError).toBe(true);
    expect(s.batches[0]).toMatchObject({ state: 'failed' });
    expect(s.batches[0].message).toContain('HTTP 404');
    expect(s.batches[0].message).toContain('the same token sends it again');
    expect(sim.requests.filter((q) => q.path === '/1/send/push.json')).toHaveLength(1);
  });
});
