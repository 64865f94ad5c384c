import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { BatchSim } from '../src/sandbox/batch.js';
import { batchGate } from './helpers/batch-gate.js';

/**
 * Neither seed 003 nor the notes (3(e), 3(g)) state a minimum campaign name length for Batch, so the simulator
 * keeps none: a name our input accepts and the preview shows must not be refused only at confirm.
 */
let sim: BatchSim;
let client: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ sim, client, close } = await batchGate(5));
});
afterAll(() => close());

describe('a Batch campaign with a two-character name', () => {
  it('previews, then is created at confirm, exactly once', async () => {
    const args = { vendor: 'batch', name: 'bb', channel: 'push', audience: { all_users: true }, content: { title: 'Hi', body: 'Short name' } };
    const preview = await client.callTool({ name: 'create_campaign', arguments: args });
    expect(preview.isError).toBeFalsy();
    const p = preview.structuredContent as { status: string; confirm: string };
    expect(p.status).toBe('confirmation_required');
    expect(sim.writes.counts.creates).toBe(0);

    const done = await client.callTool({ name: 'create_campaign', arguments: { ...args, confirm: p.confirm } });
    const text = (done.content as Array<{ text: string }>)[0]!.text;
    expect(done.isError, text).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ status: 'succeeded', vendor_ref: expect.any(String) });
    expect(sim.writes.counts.creates).toBe(1);
    expect(sim.campaigns.filter((c) => c.record.name === 'bb')).toHaveLength(1);
  });

  it('the simulator renames an API campaign to a two-character name too (campaigns/update documents no length)', async () => {
    const made = sim.campaigns.find((c) => c.record.from_api === true)!;
    const reply = await sim.writes.handle({ method: 'POST', path: '', query: new URLSearchParams(), headers: {}, body: { name: 'cc' }, at: Date.now() }, `campaigns/update/${made.record.campaign_token}`, false);
    expect(reply).toMatchObject({ status: 200 });
    expect(made.record.name).toBe('cc');
  });
});
