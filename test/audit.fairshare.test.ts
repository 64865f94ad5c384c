import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { CampaignSummary, VendorId } from '../src/domain.js';
import { EmbeddedStore } from '../src/store.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { FakeAdapter } from './helpers/fake-adapter.js';

// src/audit/index.ts fairShare: when a check finds more than max_per_check, the findings listed are taken
// round-robin across accounts ("so no vendor is hidden behind another"), in each account's own order; the summary
// still counts them all. A plain slice of the sorted findings would list only the vendor sorted first.

const NOW = new Date('2026-11-22T12:00:00Z');
/** `n` campaigns scheduled weeks ago and still `scheduled`: each one a stale_schedule finding, needing no detail read. */
const stale = (vendor: VendorId, n: number, prefix: string = vendor): CampaignSummary[] => Array.from({ length: n }, (_, i) => ({
  vendor, id: `${prefix}-${i}`, name: `${prefix} campaign ${String(i).padStart(2, '0')}`, status: 'scheduled', vendor_status: 'scheduled',
  channel: 'push', scheduled_at: '2026-10-01T10:00:00Z',
}));

let client: Client;
let store: EmbeddedStore;
beforeAll(async () => {
  const adapters = [
    new FakeAdapter('clevertap', 'default', stale('clevertap', 10)),
    new FakeAdapter('moengage', 'default', stale('moengage', 2)),
    // Two accounts of one vendor: each is its own share.
    new FakeAdapter('batch', 'eu', stale('batch', 1, 'batch-eu')),
    new FakeAdapter('batch', 'us', stale('batch', 1, 'batch-us')),
  ];
  store = new EmbeddedStore();
  client = await connectInProcess(createServer({ adapters, sandbox: false, store, now: () => NOW }, allTools, { readOnly: true }));
});
afterAll(async () => {
  await client?.close();
  await store?.close();
});

type Listed = { check: string; vendor: string; account?: string; campaign_id: string };
async function audit(max: number) {
  const r = await client.callTool({ name: 'audit_campaigns', arguments: { checks: ['stale_schedule'], max_per_check: max } });
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  const s = r.structuredContent as { findings: Listed[]; summary: { by_check: Array<{ check: string; findings: number; shown: number }> } };
  return { ids: s.findings.map((f) => f.campaign_id), byCheck: s.summary.by_check.find((c) => c.check === 'stale_schedule')! };
}

describe('audit findings over max_per_check are shared across accounts', () => {
  it('one each first: a vendor with many findings does not hide the others', async () => {
    const { ids, byCheck } = await audit(4);
    expect(byCheck).toMatchObject({ findings: 14, shown: 4 });
    // Listed grouped by vendor then account, as every audit result is.
    expect(ids).toEqual(['clevertap-0', 'moengage-0', 'batch-eu-0', 'batch-us-0']);
  });

  it('then round by round, each account in its own order, until the cap; accounts that run out leave room to the rest', async () => {
    const { ids, byCheck } = await audit(9);
    expect(byCheck).toMatchObject({ findings: 14, shown: 9 });
    // Rounds: (ct-0, moe-0, eu-0, us-0), (ct-1, moe-1), then clevertap alone: ct-2, ct-3, ct-4.
    expect(ids).toEqual(['clevertap-0', 'clevertap-1', 'clevertap-2', 'clevertap-3', 'clevertap-4', 'moengage-0', 'moengage-1', 'batch-eu-0', 'batch-us-0']);
  });

  it('a cap of one lists the first account only; a cap above the total lists every finding', async () => {
    expect((await audit(1)).ids).toEqual(['clevertap-0']);
    const all = await audit(50);
    expect(all.byCheck).toMatchObject({ findings: 14, shown: 14 });
    expect(all.ids).toHaveLength(14);
    expect(new Set(all.ids).size).toBe(14);
  });
});
