import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../src/store.js';
import { z } from 'zod';
import type { Client } from '@modelcontextprotocol/client';
import { createServer } from '../src/server.js';
import { connectInProcess } from './helpers/client.js';
import { VendorError } from '../src/errors.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from '../src/tool.js';
import type { CampaignSummary } from '../src/domain.js';
import { FakeAdapter, makeCampaigns } from './helpers/fake-adapter.js';
import { CursorCodec } from '../src/cursor.js';
import { writableAdapter } from './helpers/fake-writer.js';

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function connect(adapters: FakeAdapter[], opts: { sandbox?: boolean; readOnly?: boolean } = {}) {
  const ctx: ToolContext = { adapters, sandbox: opts.sandbox ?? false, store: new EmbeddedStore(), now: () => new Date('2026-11-22T12:00:00Z') };
  client = await connectInProcess(createServer(ctx, allTools, { readOnly: opts.readOnly ?? false }));
  return client;
}
const text = (r: any) => (r.content as Array<{ text: string }>).map((c) => c.text).join('\n');

describe('tool registry', () => {
  it('publishes every tool with its input properties, an output schema and annotations', async () => {
    const c = await connect([writableAdapter()]);
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name)).toEqual(allTools.map((t) => t.name));
    for (const def of allTools) {
      const t = tools.find((x) => x.name === def.name)!;
      const expected = Object.keys(def.inputSchema).sort();
      expect(Object.keys(t.inputSchema.properties ?? {}).sort(), def.name).toEqual(expected);
      // Every result may carry `sandbox`; an output schema must say more than that.
      expect(Object.keys(t.outputSchema?.properties ?? {}).filter((k) => k !== 'sandbox'), def.name).toEqual(Object.keys(def.outputSchema).filter((k) => k !== 'sandbox'));
      expect(Object.keys(def.outputSchema).filter((k) => k !== 'sandbox').length, def.name).toBeGreaterThan(0);
      expect(t.annotations?.readOnlyHint, def.name).toBe(def.kind === 'read');
      expect(t.annotations?.openWorldHint).toBe(true);
    }
  });

  it('matches the published snapshot (tool names and schemas do not drift silently)', async () => {
    const c = await connect([writableAdapter()]);
    const { tools } = await c.listTools();
    expect(tools.map((t) => ({ name: t.name, input: t.inputSchema, annotations: t.annotations }))).toMatchSnapshot();
  });

  it('matches the published output-schema snapshot', async () => {
    const c = await connect([writableAdapter()]);
    const { tools } = await c.listTools();
    expect(Object.fromEntries(tools.map((t) => [t.name, t.outputSchema]))).toMatchSnapshot();
  });

  it('describes every input field for the model, as published and in the zod schema', async () => {
    const c = await connect([writableAdapter()]);
    const { tools } = await c.listTools();
    const undescribed = (name: string, props: Record<string, unknown>) =>
      Object.entries(props).filter(([, v]) => !(typeof (v as { description?: unknown }).description === 'string' && ((v as { description: string }).description.trim().length > 0))).map(([k]) => `${name}.${k}`);
    for (const def of allTools) {
      const schema = z.toJSONSchema(z.object(def.inputSchema)) as { properties?: Record<string, unknown> };
      expect(Object.keys(schema.properties ?? {}).sort()).toEqual(Object.keys(def.inputSchema).sort());
      expect(undescribed(def.name, schema.properties ?? {})).toEqual([]);
      expect(undescribed(def.name, (tools.find((t) => t.name === def.name)!.inputSchema.properties ?? {}) as Record<string, unknown>)).toEqual([]);
    }
  });
});

describe('list_campaigns across vendors', () => {
  it('merges vendors newest first and pages everything exactly once', async () => {
    const a = new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 30));
    const b = new FakeAdapter('moengage', 'default', makeCampaigns('moengage', 25, 1));
    const c = await connect([a, b]);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await c.callTool({ name: 'list_campaigns', arguments: { limit: 20, ...(cursor ? { cursor } : {}) } });
      const s = r.structuredContent as any;
      expect(s.total).toBe(55);
      for (const x of s.campaigns) seen.push(`${x.vendor}:${x.id}`);
      const times = s.campaigns.map((x: any) => x.scheduled_at);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = s.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(55);
    expect(a.calls.length).toBe(1); // later pages come from the snapshot
  });

  it('answers with the others when one vendor fails, and says what is missing', async () => {
    const a = new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 3));
    const b = new FakeAdapter('batch', 'default', []);
    b.fail = new VendorError({ vendor: 'batch', status: 401, message: 'authentication invalid', hint: 'Check BATCH_REST_API_KEY.' });
    const c = await connect([a, b]);
    const r = await c.callTool({ name: 'list_campaigns', arguments: {} });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as any;
    expect(s.campaigns).toHaveLength(3);
    expect(s.errors).toEqual([{ vendor: 'batch', message: expect.stringContaining('authentication invalid') }]);
    expect(text(r)).toContain('Missing batch');
  });

  it('is an error naming the reason when the only vendor asked fails, never "0 of 0 campaigns"', async () => {
    const b = new FakeAdapter('batch', 'default', makeCampaigns('batch', 3));
    b.fail = new VendorError({ vendor: 'batch', status: 401, code: 10, message: 'AUTHENTICATION_INVALID', hint: 'Check BATCH_REST_API_KEY.' });
    const c = await connect([b, new FakeAdapter('moengage', 'default', makeCampaigns('moengage', 2))]);
    const r = await c.callTool({ name: 'list_campaigns', arguments: { vendor: 'batch' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/batch: .*AUTHENTICATION_INVALID \(HTTP 401, code 10\)\. Check BATCH_REST_API_KEY/);
    expect(text(r)).not.toMatch(/0 of 0/);
    const all = new FakeAdapter('moengage', 'default', []);
    all.fail = new VendorError({ vendor: 'moengage', status: 503, message: 'service unavailable' });
    await c.close();
    const both = await (await connect([b, all])).callTool({ name: 'search_campaigns', arguments: { query: 'x' } });
    expect(both.isError).toBe(true);
    expect(text(both)).toMatch(/batch: .*AUTHENTICATION_INVALID.*moengage: .*service unavailable/);
  });

  it('with two vendors and one failing, is a success listing the other with errors[]', async () => {
    const b = new FakeAdapter('batch', 'default', makeCampaigns('batch', 3));
    b.fail = new VendorError({ vendor: 'batch', status: 503, message: 'MAINTENANCE_ERROR' });
    const c = await connect([b, new FakeAdapter('moengage', 'default', makeCampaigns('moengage', 2))]);
    const r = await c.callTool({ name: 'list_campaigns', arguments: {} });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as any;
    expect([s.total, s.campaigns.map((x: any) => x.vendor)]).toEqual([2, ['moengage', 'moengage']]);
    expect(s.errors).toEqual([{ vendor: 'batch', message: expect.stringContaining('MAINTENANCE_ERROR (HTTP 503)') }]);
    expect(text(r)).toMatch(/^2 of 2 campaigns[\s\S]*Missing batch: .*MAINTENANCE_ERROR/);
  });

  it('labels campaigns with their account when a vendor has several', async () => {
    const c = await connect([
      new FakeAdapter('clevertap', 'india', makeCampaigns('clevertap', 2)),
      new FakeAdapter('clevertap', 'us', makeCampaigns('clevertap', 2, 1)),
    ]);
    const s = (await c.callTool({ name: 'list_campaigns', arguments: {} })).structuredContent as any;
    expect(s.campaigns.map((x: any) => x.account).sort()).toEqual(['india', 'india', 'us', 'us']);
  });

  it('with one of a vendor\'s accounts failing, errors[] names that account and the other account\'s campaigns are listed', async () => {
    const us = new FakeAdapter('clevertap', 'us', makeCampaigns('clevertap', 2, 1));
    us.fail = new VendorError({ vendor: 'clevertap', status: 401, message: 'Invalid Account ID or Passcode' });
    const c = await connect([new FakeAdapter('clevertap', 'india', makeCampaigns('clevertap', 2)), us]);
    const r = await c.callTool({ name: 'list_campaigns', arguments: {} });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as any;
    expect(s.campaigns.map((x: any) => x.account)).toEqual(['india', 'india']);
    expect(s.errors).toEqual([{ vendor: 'clevertap', account: 'us', message: expect.stringContaining('Invalid Account ID or Passcode') }]);
    expect(text(r)).toMatch(/Missing clevertap\/us: .*Invalid Account ID or Passcode/);
  });

  it('search matches names and tags across vendors', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 10)), new FakeAdapter('altcraft', 'default', makeCampaigns('altcraft', 10))]);
    const s = (await c.callTool({ name: 'search_campaigns', arguments: { query: 'black friday' } })).structuredContent as any;
    expect(s.campaigns.length).toBe(4);
    expect(new Set(s.campaigns.map((x: any) => x.vendor))).toEqual(new Set(['clevertap', 'altcraft']));
  });

  it('marks sandbox results', async () => {
    const c = await connect([new FakeAdapter('batch', 'default', makeCampaigns('batch', 1))], { sandbox: true });
    const r = await c.callTool({ name: 'list_campaigns', arguments: {} });
    expect((r.structuredContent as any).sandbox).toBe(true);
    expect(text(r)).toMatch(/^\[sandbox data\]/);
  });
});

describe('bad input reaches no vendor', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['list_campaigns', { vendor: 'hubspot' }, /vendor must be one of/],
    ['list_campaigns', { from: '2026-13-01' }, /real calendar date|YYYY-MM-DD/],
    ['list_campaigns', { from: '20261101' }, /YYYY-MM-DD/],
    ['list_campaigns', { from: '2026-11-10', to: '2026-11-01' }, /after/],
    ['list_campaigns', { limit: 0 }, /limit/],
    ['list_campaigns', { status: 'live' }, /status must be one of/],
    ['list_campaigns', { cursor: 'garbage' }, /cursor/],
    ['get_campaign', { vendor: 'clevertap', id: '' }, /id must not be empty/],
    ['get_campaign', { vendor: 'clevertap' }, /id/],
    ['get_campaign', { vendor: 'moengage', id: '1' }, /vendor must be one of: clevertap \(the vendors configured here/],
    ['estimate_reach', { vendor: 'clevertap', channel: 'push' }, /audience/],
    ['estimate_reach', { vendor: 'clevertap', channel: 'push', audience: {} }, /audience is empty/],
    ['estimate_reach', { vendor: 'clevertap', channel: 'push', audience: { all_users: true, segment_id: '1' } }, /cannot be combined/],
    ['estimate_reach', { vendor: 'clevertap', channel: 'sms', audience: { all_users: true } }, /channel sms is not available/],
    ['get_campaign_report', { vendor: 'clevertap', id: 5 }, /id|string/],
  ];
  for (const [tool, args, message] of cases) {
    it(`${tool} ${JSON.stringify(args)}`, async () => {
      const a = new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 3));
      const c = await connect([a]);
      const r = await c.callTool({ name: tool, arguments: args });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(message);
      expect(a.calls).toEqual([]);
    });
  }
  it('a cursor whose listing is no longer held continues after the last campaign shown: nothing repeated or skipped', async () => {
    let clock = Date.now();
    const campaigns = makeCampaigns('clevertap', 30);
    const ctx: ToolContext = { adapters: [new FakeAdapter('clevertap', 'default', campaigns)], sandbox: false, store: new EmbeddedStore({ now: () => clock }), now: () => new Date() };
    client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
    const first = (await client.callTool({ name: 'list_campaigns', arguments: { limit: 5 } })).structuredContent as any;
    expect(first.campaigns.map((c: { id: string }) => c.id)).toEqual(campaigns.slice(0, 5).map((c) => c.id));
    // Past the snapshot's 5 minutes, two newer campaigns appeared and one already shown is gone: an offset would
    // repeat clevertap-4; the sort key of the last one shown does not.
    clock += 5 * 60_000 + 1;
    campaigns.unshift({ ...campaigns[0]!, id: 'clevertap-new1', scheduled_at: '2026-11-30T10:00Z' }, { ...campaigns[0]!, id: 'clevertap-new2', scheduled_at: '2026-11-29T10:00Z' });
    campaigns.splice(campaigns.findIndex((c) => c.id === 'clevertap-1'), 1);
    const r = await client.callTool({ name: 'list_campaigns', arguments: { limit: 5, cursor: first.next_cursor } });
    expect(r.isError, text(r)).toBeFalsy();
    const second = r.structuredContent as any;
    expect(second.campaigns.map((c: { id: string }) => c.id)).toEqual(['clevertap-5', 'clevertap-6', 'clevertap-7', 'clevertap-8', 'clevertap-9']);
    // Its own cursor pages on from there, within the new listing.
    const third = (await client.callTool({ name: 'list_campaigns', arguments: { limit: 5, cursor: second.next_cursor } })).structuredContent as any;
    expect(third.campaigns[0].id).toBe('clevertap-10');
  });

  it('a re-listing for a cursor where a vendor missing from the earlier pages answers says what of it those pages did not show', async () => {
    let clock = Date.now();
    const moengage = new FakeAdapter('moengage', 'default', makeCampaigns('moengage', 10));
    moengage.fail = new VendorError({ vendor: 'moengage', status: 503, message: 'unavailable' });
    // Altcraft was missing too, but all its campaigns are older than those shown: the pages to come show them.
    const altcraft = new FakeAdapter('altcraft', 'default', makeCampaigns('altcraft', 3, 100));
    altcraft.fail = new VendorError({ vendor: 'altcraft', status: 503, message: 'unavailable' });
    const ctx: ToolContext = { adapters: [new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 30)), moengage, altcraft], sandbox: false, store: new EmbeddedStore({ now: () => clock }), now: () => new Date() };
    client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
    const first = (await client.callTool({ name: 'list_campaigns', arguments: { limit: 5 } })).structuredContent as any;
    expect(first.errors.map((e: { vendor: string }) => e.vendor)).toEqual(['moengage', 'altcraft']);
    const shownUntil = first.campaigns[4].scheduled_at;
    moengage.fail = altcraft.fail = undefined;
    clock += 5 * 60_000 + 1;
    const r = await client.callTool({ name: 'list_campaigns', arguments: { limit: 5, cursor: first.next_cursor } });
    expect(r.isError, text(r)).toBeFalsy();
    const second = r.structuredContent as any;
    expect(second.errors).toBeUndefined();
    // moengage-0..3 are newer than clevertap-4, the last one shown (moengage-4, on its day, sorts after it).
    expect(second.campaigns[0].id).toBe('moengage-4');
    expect(second.warnings).toEqual([{ vendor: 'moengage', message: expect.stringContaining(`4 of its campaigns, dated after ${shownUntil}, are on none of the pages shown`) }]);
    expect(text(r)).toMatch(/Note moengage: was missing from the earlier pages and answers now.*list again without cursor/);
    // Paging on within the new listing: nothing was missed since, so nothing more to say.
    const third = (await client.callTool({ name: 'list_campaigns', arguments: { limit: 5, cursor: second.next_cursor } })).structuredContent as any;
    expect(third.warnings).toBeUndefined();
  });

  it('a cursor the server issued is taken back, whatever the last campaign\'s id and account (non-Latin text)', async () => {
    const id = '活动'.repeat(100).slice(0, 199);
    const campaigns = Array.from({ length: 3 }, (_, i) => ({ vendor: 'altcraft', id: `${id}${i}`, name: 'x', status: 'completed', channel: 'email', scheduled_at: `2026-11-2${i}T10:00Z` })) as CampaignSummary[];
    const acct = 'основной-рассылочный-аккаунт-маркетинга';
    const ctx: ToolContext = { adapters: [new FakeAdapter('altcraft', acct, campaigns), new FakeAdapter('altcraft', 'резерв', [])], sandbox: false, store: new EmbeddedStore({}), now: () => new Date(), cursors: new CursorCodec('k') };
    client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
    const first = (await client.callTool({ name: 'list_campaigns', arguments: { limit: 1 } })).structuredContent as any;
    expect(first.next_cursor.length).toBeGreaterThan(1000);
    const r = await client.callTool({ name: 'list_campaigns', arguments: { limit: 1, cursor: first.next_cursor } });
    expect(r.isError, text(r)).toBeFalsy();
    expect((r.structuredContent as any).campaigns[0].id).toBe(`${id}1`);
  });

  it('a cursor from before cursors carried their last campaign, past its listing, is refused rather than re-paged by offset', async () => {
    let clock = Date.now();
    const ctx: ToolContext = { adapters: [new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 30))], sandbox: false, store: new EmbeddedStore({ now: () => clock }), now: () => new Date(), cursors: new CursorCodec('k') };
    client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
    const first = (await client.callTool({ name: 'list_campaigns', arguments: { limit: 5 } })).structuredContent as any;
    const { a: _sortKey, ...old } = ctx.cursors!.decode(first.next_cursor);
    clock += 5 * 60_000 + 1;
    const r = await client.callTool({ name: 'list_campaigns', arguments: { limit: 5, cursor: ctx.cursors!.encode(old) } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/cursor has expired/);
  });

  it('says plainly when no vendor is configured', async () => {
    const c = await connect([]);
    const r = await c.callTool({ name: 'list_campaigns', arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/no vendor is configured: .*--sandbox/);
  });

  it('a cursor from another query is refused', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 30))]);
    const first = (await c.callTool({ name: 'list_campaigns', arguments: { limit: 5 } })).structuredContent as any;
    const r = await c.callTool({ name: 'list_campaigns', arguments: { limit: 5, status: 'running', cursor: first.next_cursor } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/different query/);
  });
});

describe('single-campaign tools', () => {
  it('get_campaign, report and estimate answer compactly', async () => {
    const a = new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 3));
    const c = await connect([a]);
    const g = await c.callTool({ name: 'get_campaign', arguments: { vendor: 'clevertap', id: 'clevertap-1' } });
    expect((g.structuredContent as any).campaign.id).toBe('clevertap-1');
    const rep = await c.callTool({ name: 'get_campaign_report', arguments: { vendor: 'clevertap', id: 'clevertap-1' } });
    expect(text(rep)).toContain('sent 10');
    const e = await c.callTool({ name: 'estimate_reach', arguments: { vendor: 'clevertap', channel: 'push', audience: { event: { name: 'Added To Cart' } } } });
    expect((e.structuredContent as any).estimated_reach).toBe(42);
    expect(text(e)).toContain('Nothing was created');
  });

  it('a vendor without an estimate says what it offers instead', async () => {
    const a = new FakeAdapter('batch', 'default', [], { estimate_reach: false, estimate_reach_alternative: 'Batch has no reach estimate API. Try the dashboard.' });
    const c = await connect([a]);
    const r = await c.callTool({ name: 'estimate_reach', arguments: { vendor: 'batch', channel: 'push', audience: { all_users: true } } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('Batch has no reach estimate API');
    expect(a.calls).toEqual([]);
  });

  it('serves a campaign as the resource campaign://{vendor}/{id}', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 3))], { sandbox: true });
    const { resourceTemplates } = await c.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['campaign://{vendor}/{id}', 'audit://reports/{id}']);
    const r = await c.readResource({ uri: 'campaign://clevertap/clevertap-2' });
    expect(JSON.parse((r.contents[0] as { text: string }).text)).toMatchObject({ id: 'clevertap-2', sandbox: true });
    await expect(c.readResource({ uri: 'campaign://hubspot/1' })).rejects.toThrow(/unknown vendor hubspot/);
  });

  it('completes the campaign:// template\'s vendor with the configured vendors', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'default', []), new FakeAdapter('moengage', 'default', []), new FakeAdapter('moengage', 'eu', [])]);
    const ref = { type: 'ref/resource' as const, uri: 'campaign://{vendor}/{id}' };
    expect((await c.complete({ ref, argument: { name: 'vendor', value: '' } })).completion.values).toEqual(['clevertap', 'moengage']);
    expect((await c.complete({ ref, argument: { name: 'vendor', value: 'M' } })).completion.values).toEqual(['moengage']);
  });

  it('a campaign:// URI that names nothing is resource-not-found (-32602 with data.uri), not an internal error', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 1))]);
    for (const [uri, why] of [['campaign://clevertap/nope', /not found/], ['campaign://hubspot/1', /unknown vendor hubspot/], ['campaign://batch/1', /batch is not configured/]] as const) {
      const err = await c.readResource({ uri }).then(() => undefined, (e: { code?: number; data?: unknown; message: string }) => e);
      expect(err, uri).toMatchObject({ code: -32602, data: { uri } });
      expect(err!.message).toMatch(why);
    }
  });

  it('the resource refuses to guess between several accounts of a vendor', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'india', makeCampaigns('clevertap', 2)), new FakeAdapter('clevertap', 'us', makeCampaigns('clevertap', 2))]);
    await expect(c.readResource({ uri: 'campaign://clevertap/clevertap-1' })).rejects.toThrow(/several accounts \(india, us\)/);
  });

  it('a vendor 404 is a clear tool error', async () => {
    const c = await connect([new FakeAdapter('clevertap', 'default', [])]);
    const r = await c.callTool({ name: 'get_campaign', arguments: { vendor: 'clevertap', id: 'nope' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toBe('Could not get the campaign on clevertap: campaign nope not found (HTTP 404).');
  });
});

describe('manifest.json', () => {
  it('lists exactly the tools the server registers', async () => {
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8')) as { tools: Array<{ name: string }>; version: string };
    const c = await connect([writableAdapter()]);
    const { tools } = await c.listTools();
    expect(manifest.tools.map((t) => t.name)).toEqual(tools.map((t) => t.name));
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pkg.version);
  });

  it('the README documents every tool the server registers', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const t of allTools) expect(readme, t.name).toContain(`| \`${t.name}\` |`);
  });
});
