import { EmbeddedStore } from '../src/store.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { createServer } from '../src/server.js';
import { VENDORS } from '../src/domain.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from '../src/tool.js';
import { connectInProcess } from './helpers/client.js';
import { writableAdapter } from './helpers/fake-writer.js';
import { FakeAdapter, makeCampaigns } from './helpers/fake-adapter.js';

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function toolsFor(adapters: FakeAdapter[]) {
  const ctx: ToolContext = { adapters, sandbox: false, store: new EmbeddedStore(), now: () => new Date('2026-11-22T12:00:00Z') };
  client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
  const { tools } = await client.listTools();
  const vendorEnum = (name: string) => (tools.find((t) => t.name === name)?.inputSchema.properties as any)?.vendor?.enum as string[] | undefined;
  return { tools, vendorEnum };
}

describe('tool registration', () => {
  it('lists in each tool\'s vendor enum only the configured vendors able to do that operation', async () => {
    const { vendorEnum } = await toolsFor([
      new FakeAdapter('altcraft', 'default', makeCampaigns('altcraft', 2), { report: false, estimate_reach: true }),
      new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 2), { report: true, estimate_reach: true }),
      new FakeAdapter('batch', 'default', makeCampaigns('batch', 2), { report: true, estimate_reach: false }),
    ]);
    expect(vendorEnum('list_campaigns')).toEqual(['clevertap', 'batch', 'altcraft']);
    expect(vendorEnum('get_campaign')).toEqual(['clevertap', 'batch', 'altcraft']);
    expect(vendorEnum('get_campaign_report')).toEqual(['clevertap', 'batch']);
    expect(vendorEnum('estimate_reach')).toEqual(['clevertap', 'altcraft']);
  });

  it('refuses a vendor that cannot do the operation before any handler runs, naming the ones that can', async () => {
    const batch = new FakeAdapter('batch', 'default', makeCampaigns('batch', 2), { estimate_reach: false, estimate_reach_alternative: 'Batch has no reach estimate API; its dashboard shows one.' });
    const clevertap = new FakeAdapter('clevertap', 'default', makeCampaigns('clevertap', 2));
    await toolsFor([batch, clevertap]);
    const r = await client!.callTool({ name: 'estimate_reach', arguments: { vendor: 'batch', channel: 'push', audience: { all_users: true } } });
    expect(r.isError).toBe(true);
    // ... and says what the configured vendor that cannot offers instead (the tool's description promises it).
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/vendor must be one of: clevertap \(.*\)\. Batch has no reach estimate API; its dashboard shows one\./);
    expect(batch.calls).toEqual([]);
  });

  it('keeps the full vendor enum when no configured vendor qualifies (the handler then says why)', async () => {
    const { vendorEnum } = await toolsFor([]);
    expect(vendorEnum('get_campaign')).toEqual([...VENDORS]);
  });

  it('lists tools in the registry order, each with an icon', async () => {
    const { tools } = await toolsFor([writableAdapter()]);
    expect(tools.map((t) => t.name)).toEqual(allTools.map((t) => t.name));
    for (const t of tools) expect(t.icons?.[0]?.src, t.name).toMatch(/^data:image\/svg\+xml;base64,/);
  });
});
