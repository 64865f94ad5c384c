import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EmbeddedStore } from '../src/store.js';
import type { Client } from '@modelcontextprotocol/client';
import { connectInProcess } from './helpers/client.js';
import { STATUSES, type CampaignSummary } from '../src/domain.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from '../src/tool.js';

/** Pacing, rate windows and Retry-After run 20x faster on one clock shared by the HTTP client and the simulators. */
const fast = fastClock(20);

const NOW = new Date('2026-11-22T12:00:00Z');
const RANGE = { from: '2025-05-01', to: '2026-12-31' }; // the whole seeded history
let sandbox: Sandbox;
let http: HttpClient;
let client: Client;

async function connect(accounts = sandbox.accounts): Promise<Client> {
  const ctx: ToolContext = { adapters: createAdapters(accounts, http, () => NOW), sandbox: true, store: new EmbeddedStore(), now: () => NOW };
  return connectInProcess(createServer(ctx, allTools, { readOnly: false }));
}

async function listAll(c: Client, args: Record<string, unknown>): Promise<{ campaigns: CampaignSummary[]; errors?: Array<{ vendor: string; message: string }>; text: string }> {
  const campaigns: CampaignSummary[] = [];
  let cursor: string | undefined;
  let errors;
  let text = '';
  do {
    const r = await c.callTool({ name: 'list_campaigns', arguments: { ...args, limit: 100, ...(cursor ? { cursor } : {}) } });
    if (r.isError) throw new Error(JSON.stringify(r.content));
    const s = r.structuredContent as { campaigns: CampaignSummary[]; next_cursor?: string; errors?: Array<{ vendor: string; message: string }> };
    campaigns.push(...s.campaigns);
    errors ??= s.errors;
    text ||= (r.content as Array<{ text: string }>)[0]!.text;
    cursor = s.next_cursor;
  } while (cursor);
  return { campaigns, errors, text };
}
const key = (c: CampaignSummary) => `${c.vendor}/${c.account ?? ''}/${c.id}`;

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
  client = await connect();
});
afterAll(async () => {
  await client.close();
  await http.close();
  await sandbox.close();
});

describe('every vendor at once, against the four simulators', () => {
  it('the all-vendor listing is exactly the union of the per-vendor listings, newest first', async () => {
    const all = await listAll(client, RANGE);
    expect(all.errors).toBeUndefined();
    const per = await Promise.all((['clevertap', 'moengage', 'batch', 'altcraft'] as const).map((vendor) => listAll(client, { ...RANGE, vendor })));
    for (const p of per) expect(p.campaigns.length).toBeGreaterThan(100);
    const union = per.flatMap((p) => p.campaigns.map(key)).sort();
    expect(all.campaigns.map(key).sort()).toEqual(union);
    expect(new Set(all.campaigns.map(key)).size).toBe(all.campaigns.length);
    const times = all.campaigns.map((c) => Date.parse(c.scheduled_at ?? c.created_at ?? '') || -Infinity);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Every timestamp is RFC 3339 with an offset (what JSON Schema's date-time and zod's iso.datetime take), on every vendor.
    const rfc3339 = z.iso.datetime({ offset: true });
    const stamps = all.campaigns.flatMap((c) => [c.created_at, c.scheduled_at]).filter((t): t is string => t !== undefined);
    expect(new Set(all.campaigns.filter((c) => c.created_at ?? c.scheduled_at).map((c) => c.vendor))).toEqual(new Set(['clevertap', 'moengage', 'batch', 'altcraft']));
    expect(stamps.filter((t) => !rfc3339.safeParse(t).success)).toEqual([]);
    // The text keeps them to the minute: zero seconds cost a token a line.
    expect(all.text).toMatch(/ \d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})\n/);
  });

  it('an error on the sandbox says so, as its data does', async () => {
    const r = await client.callTool({ name: 'get_campaign', arguments: { vendor: 'batch', id: 'no-such-campaign-token' } });
    expect(r.isError).toBe(true);
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/^\[sandbox\] Could not get (the )?campaign/);
  });

  it('searches names across vendors', async () => {
    const r = await client.callTool({ name: 'search_campaigns', arguments: { ...RANGE, query: 'black friday', limit: 100 } });
    const s = r.structuredContent as { campaigns: CampaignSummary[] };
    expect(new Set(s.campaigns.map((c) => c.vendor))).toEqual(new Set(['clevertap', 'moengage', 'batch', 'altcraft']));
    for (const c of s.campaigns) expect(c.name.toLowerCase()).toContain('black friday');
  });

  it('the normalized status filter works on each vendor', async () => {
    for (const vendor of ['clevertap', 'moengage', 'batch', 'altcraft'] as const) {
      const everything = (await listAll(client, { ...RANGE, vendor })).campaigns;
      const present = STATUSES.filter((s) => s !== 'archived' && everything.some((c) => c.status === s));
      expect(present.length, vendor).toBeGreaterThanOrEqual(3);
      for (const status of present) {
        const got = (await listAll(client, { ...RANGE, vendor, status })).campaigns;
        expect(got.map(key).sort(), `${vendor} ${status}`).toEqual(everything.filter((c) => c.status === status).map(key).sort());
      }
    }
  });

  it('one vendor down: the others answer and the result says what is missing', async () => {
    sandbox.sims.moengage.faults.down = 503;
    try {
      const c = await connect();
      const r = await listAll(c, {});
      expect(r.errors).toEqual([{ vendor: 'moengage', message: expect.stringMatching(/^Could not list campaigns on moengage: .*HTTP 503/) }]);
      expect(new Set(r.campaigns.map((x) => x.vendor))).toEqual(new Set(['clevertap', 'batch', 'altcraft']));
      expect(r.text).toContain('Missing moengage');
      await c.close();
    } finally {
      sandbox.sims.moengage.faults.down = undefined;
    }
  });

  it('malformed JSON or an HTML page from one vendor is a clear error for that vendor, never an empty success', async () => {
    sandbox.sims.batch.faults.malformed = 1;
    sandbox.sims.altcraft.faults.htmlErrors = 10;
    try {
      const c = await connect();
      const r = await listAll(c, {});
      expect(r.errors?.map((e) => e.vendor).sort()).toEqual(['altcraft', 'batch']);
      for (const e of r.errors ?? []) expect(e.message).toMatch(/JSON|HTML|unexpected/i);
      expect(r.campaigns.length).toBeGreaterThan(0);
      await c.close();
    } finally {
      sandbox.sims.batch.faults.malformed = 0;
      sandbox.sims.altcraft.faults.htmlErrors = 0;
    }
  });
});

describe('several accounts of one vendor', () => {
  let second: CleverTapSim;
  beforeAll(async () => {
    second = await startCleverTapSim({ seed: 7, now: NOW, credentials: { accountId: 'US-PROJECT-2', passcode: 'us-passcode-2' }, clock: fast });
  });
  afterAll(async () => second.close());

  it('lists both CleverTap projects, each campaign saying its account, and get needs the account', async () => {
    const ct = sandbox.accounts.find((a) => a.vendor === 'clevertap')!;
    const c = await connect([
      { ...ct, name: 'india' },
      { vendor: 'clevertap', name: 'us', accountId: 'US-PROJECT-2', passcode: 'us-passcode-2', region: 'us1', baseUrl: second.url },
    ]);
    const r = await listAll(c, { from: '2026-06-01', to: '2026-11-22' });
    expect(new Set(r.campaigns.map((x) => x.account))).toEqual(new Set(['india', 'us']));
    const us = r.campaigns.find((x) => x.account === 'us')!;
    const ambiguous = await c.callTool({ name: 'get_campaign', arguments: { vendor: 'clevertap', id: us.id } });
    expect(ambiguous.isError).toBe(true);
    expect((ambiguous.content as Array<{ text: string }>)[0]!.text).toMatch(/several accounts \(india, us\): pass account/);
    const got = await c.callTool({ name: 'get_campaign', arguments: { vendor: 'clevertap', id: us.id, account: 'us', from: '2026-06-01', to: '2026-11-22' } });
    expect((got.structuredContent as { campaign: { id: string } }).campaign.id).toBe(us.id);
    await c.close();
  });
});
