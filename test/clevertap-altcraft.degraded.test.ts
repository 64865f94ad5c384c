import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectInProcess } from './helpers/client.js';
import type { CampaignSummary } from '../src/domain.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createServer } from '../src/server.js';
import { EmbeddedStore } from '../src/store.js';
import type { ToolContext } from '../src/tool.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';

/** Pacing, rate windows and Retry-After run 20x faster on one clock shared by the HTTP client and the simulators. */
const fast = fastClock(20);

const NOW = new Date('2026-11-22T12:00:00Z');
let sandbox: Sandbox;
let http: HttpClient;
let client: Client;
type Out = { campaigns: CampaignSummary[]; next_cursor?: string; errors?: unknown[]; warnings?: Array<{ vendor: string; message: string }> };

async function listAll(args: Record<string, unknown>): Promise<{ campaigns: CampaignSummary[]; first: Out; text: string; isError: boolean }> {
  const campaigns: CampaignSummary[] = [];
  let cursor: string | undefined;
  let first: Out | undefined;
  let text = '';
  let isError = false;
  do {
    const r = await client.callTool({ name: 'list_campaigns', arguments: { ...args, limit: 100, ...(cursor ? { cursor } : {}) } });
    isError ||= r.isError === true;
    const s = r.structuredContent as Out;
    first ??= s;
    text ||= (r.content as Array<{ text: string }>)[0]!.text;
    campaigns.push(...(s?.campaigns ?? []));
    cursor = s?.next_cursor;
  } while (cursor);
  return { campaigns, first: first!, text, isError };
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, clock: fast });
  http = new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, clock: fast });
  const ctx: ToolContext = { adapters: createAdapters(sandbox.accounts, http, () => NOW), sandbox: true, store: new EmbeddedStore(), now: () => NOW };
  client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
});
afterAll(async () => {
  await client.close();
  await http.close();
  await sandbox.close();
});

describe('all vendors, with CleverTap report.json and Altcraft scampaigns/list down', () => {
  it('every vendor answers; CleverTap without channels, Altcraft mailings only; the warnings say so', async () => {
    const healthy = await listAll({});
    const byVendor = (cs: CampaignSummary[], v: string) => cs.filter((c) => c.vendor === v);
    sandbox.sims.clevertap.reportFailStatus = 503;
    sandbox.sims.altcraft.failRoutes.set('scampaigns/list', 403);
    try {
      const r = await listAll({});
      expect(r.isError).toBe(false);
      expect(r.first.errors).toBeUndefined();
      expect(r.first.warnings).toEqual([
        { vendor: 'clevertap', message: 'channels and labels unknown: message/report.json failed (HTTP 503: Message reports are not available for this account); campaigns show channel "other" and no tags' },
        { vendor: 'altcraft', message: 'scampaigns/list failed (Access denied: the token has no rights for this method, HTTP 403): campaigns (containers of mailings) are missing; mailings are listed' },
      ]);
      expect(r.text).toContain('Note clevertap: channels and labels unknown: message/report.json failed');
      expect(r.text).toContain('Note altcraft: scampaigns/list failed');
      for (const v of ['moengage', 'batch']) expect(byVendor(r.campaigns, v).map((c) => c.id).sort(), v).toEqual(byVendor(healthy.campaigns, v).map((c) => c.id).sort());
      const ct = byVendor(r.campaigns, 'clevertap');
      expect(ct.map((c) => c.id).sort()).toEqual(byVendor(healthy.campaigns, 'clevertap').map((c) => c.id).sort());
      expect(ct.every((c) => c.channel === 'other' && !c.tags)).toBe(true);
      const ac = byVendor(r.campaigns, 'altcraft');
      expect(ac.map((c) => c.id).sort()).toEqual(byVendor(healthy.campaigns, 'altcraft').filter((c) => c.id.startsWith('mailing-')).map((c) => c.id).sort());
      const counts = Object.fromEntries(['clevertap', 'moengage', 'batch', 'altcraft'].map((v) => [v, [byVendor(healthy.campaigns, v).length, byVendor(r.campaigns, v).length]]));
      expect(counts.altcraft![1]).toBeLessThan(counts.altcraft![0]!);
      const push = await client.callTool({ name: 'list_campaigns', arguments: { vendor: 'clevertap', channel: 'push' } });
      expect(push.isError).toBe(true);
      expect((push.content as Array<{ text: string }>)[0]!.text).toMatch(/cannot filter by channel/);
    } finally {
      sandbox.sims.clevertap.reportFailStatus = 0;
      sandbox.sims.altcraft.failRoutes.clear();
    }
  });
});
