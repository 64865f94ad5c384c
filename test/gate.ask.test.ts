import { afterEach, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { gateContext } from './helpers/gate-ctx.js';
import { writableAdapter } from './helpers/fake-writer.js';

const args = { vendor: 'clevertap', channel: 'push', recipients: { ids: ['u1', 'u2'], id_type: 'identity' }, content: { title: 'Hi', body: 'Sale' } };
let done: Array<() => unknown> = [];
afterEach(async () => {
  for (const d of done) await d();
  done = [];
});

/** Every requestedSchema a person was shown. */
const schemas: unknown[] = [];

/** A person behind a client that can be asked: answers every approval with `approve`, or declines. */
function person(answer: 'yes' | 'no' | 'decline', seen: string[], modern: boolean) {
  const c = new Client({ name: 'person', version: '1' }, { capabilities: { elicitation: { form: {} } }, ...(modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}) });
  c.setRequestHandler('elicitation/create', async (req) => {
    seen.push(String((req.params as { message?: string }).message));
    schemas.push((req.params as { requestedSchema?: unknown }).requestedSchema);
    return answer === 'decline' ? { action: 'decline' } : { action: 'accept', content: { approve: answer === 'yes' } };
  });
  done.push(() => c.close());
  return c;
}

async function setup(answer: 'yes' | 'no' | 'decline', modern: boolean, settings = {}) {
  const adapter = writableAdapter();
  const g = gateContext([adapter], { settings });
  done.push(g.cleanup);
  const seen: string[] = [];
  const c = person(answer, seen, modern);
  if (modern) {
    const handler = createMcpHandler(() => createServer(g.ctx, allTools, { readOnly: false }));
    done.push(() => handler.close());
    await c.connect(new StreamableHTTPClientTransport(new URL('http://in-process/mcp'), { fetch: (u, i) => handler.fetch(new Request(u, i)) }));
  } else {
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([createServer(g.ctx, allTools, { readOnly: false }).connect(b), c.connect(a)]);
  }
  return { c, seen, writer: adapter.writer };
}

for (const modern of [true, false]) {
  describe(`asking the person before a write (${modern ? '2026-07-28 input_required' : '2025-11-25 elicitation'})`, () => {
    it('asks with the preview, and writes once they approve', async () => {
      const { c, seen, writer } = await setup('yes', modern);
      const p = (await c.callTool({ name: 'send_to_users', arguments: args })).structuredContent as { confirm: string };
      expect(seen).toEqual([]);
      const r = await c.callTool({ name: 'send_to_users', arguments: { ...args, confirm: p.confirm } });
      expect(seen[0]).toMatch(/Approve this write\? send on clevertap\/default.*2 recipients/);
      // MCP's restricted elicitation schema: type, properties, required; no $schema or additionalProperties.
      expect(schemas.at(-1)).toEqual({ type: 'object', properties: { approve: { type: 'boolean', description: 'true to go ahead with this write' } }, required: ['approve'] });
      expect(r.structuredContent).toMatchObject({ status: 'succeeded' });
      expect(writer.delivered).toEqual(['u1', 'u2']);
    });

    for (const answer of ['no', 'decline'] as const) {
      it(`writes nothing when the person says ${answer}, and says so`, async () => {
        const { c, writer } = await setup(answer, modern);
        const p = (await c.callTool({ name: 'send_to_users', arguments: args })).structuredContent as { confirm: string };
        const r = await c.callTool({ name: 'send_to_users', arguments: { ...args, confirm: p.confirm } });
        expect(r.structuredContent).toMatchObject({ status: 'failed', approval: 'declined', counts: { pending: 2 } });
        expect(r.isError).toBe(true);
        expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/declined it; nothing was written/);
        expect(writer.executed).toBe(0);
      });
    }

    it('CAMPAIGN_MCP_CONFIRM=never skips the question; the token alone acts', async () => {
      const { c, seen, writer } = await setup('no', modern, { ask: 'never' });
      const p = (await c.callTool({ name: 'send_to_users', arguments: args })).structuredContent as { confirm: string };
      await c.callTool({ name: 'send_to_users', arguments: { ...args, confirm: p.confirm } });
      expect(seen).toEqual([]);
      expect(writer.delivered).toHaveLength(2);
    });
  });
}
