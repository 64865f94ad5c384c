import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { CleverTapSim } from '../src/sandbox/clevertap.js';
import { cleverTapGate } from './helpers/clevertap-gate.js';

let sim: CleverTapSim;
let client: Client;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ sim, client, close } = await cleverTapGate({}));
});
afterAll(async () => close?.());

describe('a confirmed send reports progress per batch to a client that asked for it', () => {
  it('2,500 recipients: three batches of CleverTap /1/send, one progress notification each, the last at total', async () => {
    const args = { vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity', ids: Array.from({ length: 2_500 }, (_, i) => `user-${i}`) }, content: { title: 'Hi', body: 'Back in stock' } };
    const preview = await client.callTool({ name: 'send_to_users', arguments: args });
    const confirm = (preview.structuredContent as { confirm: string }).confirm;
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const done = await client.callTool({ name: 'send_to_users', arguments: { ...args, confirm } }, { onprogress: (p) => seen.push(p) });
    expect(done.isError, JSON.stringify(done.content)).toBeFalsy();
    expect(sim.writes.sends.length).toBe(3);
    expect(seen.map((p) => [p.progress, p.total])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(seen.every((p) => /^batch [123] of 3: succeeded$/.test(p.message ?? ''))).toBe(true);

  }, 30_000);
});
