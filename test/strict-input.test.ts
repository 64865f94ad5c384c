import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from '@modelcontextprotocol/client';
import { callTool } from '../src/cli-call.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { gateContext } from './helpers/gate-ctx.js';

// Every tool input object is strict (src/strict-input.ts): an unknown key is refused, naming it and the keys
// accepted, before any vendor is reached — against the four simulators, through a real MCP client.
const fast = fastClock(20);
const NOW = new Date('2026-11-22T12:00:00Z');
let sandbox: Sandbox;
let http: HttpClient;
let client: Client;
let dir: string;
let cleanup: () => void;

const text = (r: any) => (r.content as Array<{ text: string }>).map((c) => c.text).join('\n');
const vendorRequests = () => Object.values(sandbox.sims).reduce((n, s) => n + s.requests.length, 0);
function server() {
  const g = gateContext(createAdapters(sandbox.accounts, http, () => NOW), { now: () => NOW, dir });
  g.ctx.sandbox = true;
  cleanup = g.close;
  return createServer(g.ctx, allTools, { readOnly: false });
}
/** A call that must be refused before any vendor request; returns its text. */
async function refused(name: string, args: Record<string, unknown>): Promise<string> {
  const before = vendorRequests();
  const r = await client.callTool({ name, arguments: args });
  expect(r.isError, text(r)).toBe(true);
  expect(vendorRequests(), `${name} reached a vendor`).toBe(before);
  return text(r);
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
  dir = mkdtempSync(join(tmpdir(), 'strict-'));
  client = await connectInProcess(server());
});
afterAll(async () => {
  await client.close();
  cleanup();
  await http.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const cart = { vendor: 'clevertap', channel: 'push', audience: { event: { name: 'Added To Cart', from: '2026-11-16' } } };
/**
 * A schedule ahead of both the gate's NOW and the wall clock the simulator judges "in the future" by (its estimate
 * refuses a past "when"): a fixed '2030-01-07' would fail from that day on.
 */
const LATER = `${new Date().getUTCFullYear() + 2}-01-07T10:00`;

describe('strict tool inputs', () => {
  it('tools/list says additionalProperties: false on every object of every input schema', async () => {
    const { tools } = await client.listTools();
    const loose: string[] = [];
    const walk = (s: any, at: string) => {
      if (!s || typeof s !== 'object') return;
      if (s.type === 'object' && s.additionalProperties !== false) loose.push(at);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
      if (s.items) walk(s.items, `${at}[]`);
      for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(alt, at);
    };
    for (const t of tools) walk(t.inputSchema, t.name);
    expect(loose).toEqual([]);
    const reach = tools.find((t) => t.name === 'estimate_reach')!.inputSchema as any;
    expect(reach.properties.audience.properties.profile.items.additionalProperties).toBe(false);
  });

  it('estimate_reach refuses an exclusion it cannot express instead of answering the reach without it', async () => {
    const base = await client.callTool({ name: 'estimate_reach', arguments: cart });
    expect(base.isError, text(base)).toBeFalsy();
    expect(typeof (base.structuredContent as any).estimated_reach).toBe('number');
    const not = await refused('estimate_reach', { ...cart, audience: { ...cart.audience, not_event: { name: 'Charged' } } });
    expect(not).toContain('audience has no "not_event"; it takes all_users, event, profile, segment_id');
    expect(not).not.toMatch(/audience: audience/);
    const negated = await refused('estimate_reach', { ...cart, audience: { event: { ...cart.audience.event, negate: true } } });
    expect(negated).toContain('audience.event has no "negate"; it takes name, from, to');
    const profile = await refused('estimate_reach', { ...cart, audience: { profile: [{ field: 'Customer Type', op: 'equals', value: 'gold' }, { field: 'City', op: 'equals', value: 'Pune', negate: true }] } });
    expect(profile).toContain('audience.profile[1] has no "negate"; it takes field, op, value');
  });

  it('an unknown top-level argument is refused with the arguments the tool takes', async () => {
    expect(await refused('list_campaigns', { bogus: 1 })).toContain('list_campaigns has no argument "bogus"; its arguments: vendor?, account?, from?, to?, status?, channel?, limit?, cursor?');
    expect(await refused('get_campaign', { vendor: 'batch', id: 'x', rawdata: true })).toContain('get_campaign has no argument "rawdata"; its arguments: vendor, id, account?, raw?, from?, to?');
  });

  it('nested write inputs are strict too, and nothing is previewed or written', async () => {
    const create = { vendor: 'clevertap', name: 'Cart push', channel: 'push', audience: cart.audience, content: { title: 'T', body: 'B' } };
    expect(await refused('create_campaign', { ...create, content: { ...create.content, button: 'Buy' } })).toContain('content has no "button"; it takes title, body, subject, sender_name, deep_link, image_url');
    expect(await refused('send_to_users', { vendor: 'clevertap', channel: 'push', recipients: { ids: ['u1'], id_type: 'identity', exclude: ['u2'] }, content: { body: 'B' } }))
      .toContain('recipients has no "exclude"; it takes ids, id_type');
    expect(sandbox.sims.clevertap.writes.counts).toMatchObject({ creates: 0, sends: 0 });
  });

  it('every argument DESIGN documents still works: raw on request, date windows, filters, cursor, query', async () => {
    const listed = await client.callTool({ name: 'list_campaigns', arguments: { vendor: 'batch', from: '2025-05-01', to: '2026-12-31', status: 'completed', channel: 'push', limit: 1 } });
    expect(listed.isError, text(listed)).toBeFalsy();
    const first = listed.structuredContent as any;
    expect(first.campaigns).toHaveLength(1);
    const next = await client.callTool({ name: 'list_campaigns', arguments: { vendor: 'batch', from: '2025-05-01', to: '2026-12-31', status: 'completed', channel: 'push', limit: 1, cursor: first.next_cursor } });
    expect(next.isError, text(next)).toBeFalsy();
    const id = first.campaigns[0].id;
    const raw = await client.callTool({ name: 'get_campaign', arguments: { vendor: 'batch', id, raw: true } });
    expect(raw.isError, text(raw)).toBeFalsy();
    expect((raw.structuredContent as any).campaign.raw).toBeDefined();
    const ct = (await client.callTool({ name: 'list_campaigns', arguments: { vendor: 'clevertap', from: '2026-10-01', to: '2026-11-22', limit: 1 } })).structuredContent as any;
    const windowed = await client.callTool({ name: 'get_campaign', arguments: { vendor: 'clevertap', id: ct.campaigns[0].id, from: '2026-10-01', to: '2026-11-22' } });
    expect(windowed.isError, text(windowed)).toBeFalsy();
    const search = await client.callTool({ name: 'search_campaigns', arguments: { query: 'a', vendor: 'batch', limit: 5 } });
    expect(search.isError, text(search)).toBeFalsy();
    const report = await client.callTool({ name: 'get_campaign_report', arguments: { vendor: 'batch', id } });
    expect(report.isError, text(report)).toBeFalsy();
    const audit = await client.callTool({ name: 'audit_campaigns', arguments: { vendor: 'batch', checks: ['duplicate_name'], max_per_check: 2 } });
    expect(audit.isError, text(audit)).toBeFalsy();
    const created = await client.callTool({ name: 'create_campaign', arguments: { vendor: 'clevertap', name: 'Cart push', channel: 'push', audience: { ...cart.audience, profile: [{ field: 'City', op: 'equals', value: 'Pune' }] }, content: { title: 'T', body: 'B', deep_link: 'app://cart' }, schedule: LATER } });
    expect((created.structuredContent as any)?.status, text(created)).toBe('confirmation_required');
    const stop = await client.callTool({ name: 'set_campaign_status', arguments: { vendor: 'clevertap', id: ct.campaigns[0].id, action: 'stop' } });
    expect(text(stop)).not.toMatch(/has no argument/);
  });

  it('over the CLI `campaign-mcp call`, a nested unknown key is a tool error with the same message', async () => {
    let out = '';
    let err = '';
    const sink = (add: (s: string) => void) => new Writable({ write: (c, _e, cb) => (add(String(c)), cb()) });
    const args = JSON.stringify({ ...cart, audience: { ...cart.audience, not_event: { name: 'Charged' } } });
    const before = vendorRequests();
    const code = await callTool(server(), 'estimate_reach', args, sink((s) => (out += s)), sink((s) => (err += s)));
    expect([code, out]).toEqual([1, '']);
    expect(err).toContain('audience has no "not_event"; it takes all_users, event, profile, segment_id');
    expect(vendorRequests()).toBe(before);
  });
});

describe('send_to_users with recipients_file alone', () => {
  const file = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const send = (recipients_file: string, extra: Record<string, unknown> = {}) =>
    ({ vendor: 'clevertap', channel: 'email', recipients_file, content: { subject: 'S', body: 'B', sender_name: 'Shop' }, ...extra });

  it('takes the id type from a header naming the column, binds the file, and sends to those ids', async () => {
    const path = file('emails.csv', 'name,email\nA,a@x.io\nB,b@x.io\nA again,a@x.io\n');
    const p = await client.callTool({ name: 'send_to_users', arguments: send(path) });
    const s = p.structuredContent as any;
    expect(s?.status, text(p)).toBe('confirmation_required');
    expect(s.preview.counts).toMatchObject({ recipients: 2, duplicates_removed: 1 });
    // The same send spelled with recipients.id_type is the same write: its token is accepted.
    const explicit = send(path, { recipients: { id_type: 'email' } });
    const done = await client.callTool({ name: 'send_to_users', arguments: { ...explicit, confirm: s.confirm } });
    expect((done.structuredContent as any)?.status, text(done)).toBe('succeeded');
    expect(sandbox.sims.clevertap.writes.sends.at(-1)).toEqual({ channel: 'email', recipients: 2 });
  });

  it('a file changed after its preview is refused (the content hash is bound to the token)', async () => {
    const path = file('one.csv', 'email\nc@x.io\n');
    const p = (await client.callTool({ name: 'send_to_users', arguments: send(path) })).structuredContent as any;
    writeFileSync(path, 'email\nc@x.io\nd@x.io\n');
    const sends = sandbox.sims.clevertap.writes.counts.sends;
    const r = await client.callTool({ name: 'send_to_users', arguments: { ...send(path), confirm: p.confirm } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(`the recipients_file ${path} changed since the preview`);
    expect(sandbox.sims.clevertap.writes.counts.sends).toBe(sends);
  });

  it('a file whose header now names another id type is refused as a changed file, not as changed arguments', async () => {
    const path = file('retyped.csv', 'email\nc@x.io\n');
    const p = (await client.callTool({ name: 'send_to_users', arguments: send(path) })).structuredContent as any;
    writeFileSync(path, 'identity\nu-77\n');
    const sends = sandbox.sims.clevertap.writes.counts.sends;
    const r = await client.callTool({ name: 'send_to_users', arguments: { ...send(path), confirm: p.confirm } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(`the recipients_file ${path} changed since the preview`);
    expect(sandbox.sims.clevertap.writes.counts.sends).toBe(sends);
  });

  it('without a header naming the id type it is refused with what to add, never guessed', async () => {
    const need = 'recipients_file needs its id type: add recipients: { id_type: "email" } or a header naming the column (identity, email, objectId)';
    expect(await refused('send_to_users', send(file('bare.txt', 'a@x.io\nb@x.io\n')))).toContain(need);
    expect(await refused('send_to_users', send(file('generic.csv', 'id,name\na@x.io,A\n')))).toContain(need);
    expect(await refused('send_to_users', send(file('both.csv', 'email,identity\na@x.io,u1\n')))).toMatch(/names several id columns \(email, identity\): add recipients: \{ id_type: "email" \}/);
    expect(await refused('send_to_users', send(file('phones.csv', 'phone\n+14155550100\n')))).toContain('clevertap cannot match id_type phone (named by the recipients_file header); it takes identity, email, objectId');
    expect(await refused('send_to_users', { vendor: 'clevertap', channel: 'email', content: { body: 'B' } })).toContain('give recipients.ids (with id_type) or recipients_file');
  });
});
