import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteGate } from '../src/confirm.js';
import { EmbeddedStore, StoreError } from '../src/store.js';
import { TokenSigner } from '../src/tokens.js';
import { writableAdapter } from './helpers/fake-writer.js';
import type { Client } from '@modelcontextprotocol/client';
import type { CleverTapSim } from '../src/sandbox/clevertap.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { cleverTapGate } from './helpers/clevertap-gate.js';

// DESIGN, the write gate: "a refusal that applies to every batch (bad credentials, bad content) stops the send and
// leaves the rest pending. The same token again after a partial run resumes: batches never sent, or refused by the
// vendor before it acted, are sent." Through the real CleverTap writer and HTTP client: the gate runs 4 batches at
// once, CleverTap takes 3 at a time, so a 4th waits for a slot in the client when the 401s come back.
let sim: CleverTapSim;
let client: Client;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ sim, client, close } = await cleverTapGate({ concurrency: 4 }));
});
afterAll(async () => close?.());

const sendRequests = () => sim.requests.filter((r) => r.path.startsWith('/1/send/')).length;

describe('a refusal for every batch, on a real writer', () => {
  it('halts the batch still waiting for its turn (never sent: pending); fixed, the same token sends every batch, each recipient once', async () => {
    const args = { vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity', ids: Array.from({ length: 5_000 }, (_, i) => `user-${i}`) }, content: { title: 'Hi', body: 'Back in stock' } };
    const preview = await client.callTool({ name: 'send_to_users', arguments: args });
    const confirm = (preview.structuredContent as { confirm: string }).confirm;
    sim.faults.down = 401; // the passcode stopped working between the preview and the confirmation
    const refused = await client.callTool({ name: 'send_to_users', arguments: { ...args, confirm } });
    const r = refused.structuredContent as { status: string; counts: Record<string, number>; batches: Array<{ state: string }> };
    // Three went out together and were refused; the fourth was waiting for CleverTap's concurrency slot and was halted there.
    expect(sendRequests()).toBe(3);
    expect(r.counts).toEqual({ recipients: 5_000, succeeded: 0, failed: 3_000, unknown: 0, pending: 2_000 });
    expect(r.batches.map((b) => b.state)).toEqual(['failed', 'failed', 'failed', 'pending', 'pending']);
    expect(refused.isError).toBe(true);

    sim.faults.down = undefined;
    const resumed = await client.callTool({ name: 'send_to_users', arguments: { ...args, confirm } });
    expect(resumed.structuredContent).toMatchObject({ status: 'succeeded', resumed: true, counts: { succeeded: 5_000, failed: 0, pending: 0 } });
    expect(sim.writes.sends.reduce((n, s) => n + s.recipients, 0)).toBe(5_000);
    expect(sendRequests()).toBe(3 + 5);
  });
});

/** A journal that takes its time and refuses a second attempt on one part, as the Redis store's script does ("TAKEN"). */
class SlowSharedStore extends EmbeddedStore {
  private readonly attempted = new Set<string>();
  override async recordAttempt(id: string, part: number, at: string): Promise<void> {
    const key = `${id}:${part}`;
    if (this.attempted.has(key)) throw new StoreError(`part ${part} was already attempted`);
    this.attempted.add(key);
    await new Promise((r) => setTimeout(r, 15));
    return super.recordAttempt(id, part, at);
  }
}

describe('a part of several requests on a slow shared journal', () => {
  it('is journaled once however many of its requests go out together, and sends', async () => {
    const adapter = writableAdapter();
    adapter.writer.requestsPerPart = 8;
    const store = new SlowSharedStore();
    const gate = new WriteGate(store, new TokenSigner(Buffer.alloc(32, 3)), { ttlMs: 600_000, maxRecipients: 100_000, ask: 'never', concurrency: 4 });
    const c = await connectInProcess(createServer({ adapters: [adapter], sandbox: false, store, gate, now: () => new Date() }, allTools, { readOnly: false }));
    try {
      const args = { vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity', ids: Array.from({ length: 2_500 }, (_, i) => `u${i}`) }, content: { title: 'T', body: 'B' } };
      const confirm = ((await c.callTool({ name: 'send_to_users', arguments: args })).structuredContent as { confirm: string }).confirm;
      const r = await c.callTool({ name: 'send_to_users', arguments: { ...args, confirm } });
      expect(r.structuredContent).toMatchObject({ status: 'succeeded', counts: { succeeded: 2_500, unknown: 0, pending: 0 } });
      expect(adapter.writer.delivered).toHaveLength(2_500);
    } finally {
      await c.close();
      await store.close();
    }
  });
});
