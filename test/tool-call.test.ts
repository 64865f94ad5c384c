import { EmbeddedStore } from '../src/store.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { createServer } from '../src/server.js';
import { defineTool, type ToolContext, type ToolDefinition } from '../src/tool.js';

const Confirm = z.object({ go: z.boolean().describe('go ahead?') });

/** A tool that reports what its call says about the client, and asks the person once when it can. */
const probe = defineTool({
  name: 'probe_call', title: 'Probe', description: 'test only', kind: 'read', action: 'probe',
  inputSchema: {},
  outputSchema: { era: z.string(), version: z.string().optional(), can_ask: z.boolean(), answer: z.string() },
  async handler(_args, _ctx, _signal, call) {
    const answer = call!.answer('confirm', Confirm);
    if (call!.canAsk && answer.state === 'missing') return call!.ask('confirm', 'Go ahead?', Confirm);
    const said = answer.state === 'accepted' ? `go=${answer.value.go}` : answer.state;
    return { structured: { era: call!.era, version: call!.protocolVersion, can_ask: call!.canAsk, answer: said }, text: said };
  },
}) as unknown as ToolDefinition;

const ctx: ToolContext = { adapters: [], sandbox: false, store: new EmbeddedStore(), now: () => new Date() };
const make = () => createServer(ctx, [probe], { readOnly: false });
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

function person(options: ConstructorParameters<typeof Client>[1] = {}, elicit = true) {
  const c = new Client({ name: 'person', version: '1' }, { ...options, capabilities: elicit ? { elicitation: { form: {} } } : {} });
  if (elicit) c.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { go: true } }));
  return (client = c);
}

describe('the ToolCall a handler receives', () => {
  it('on 2026-07-28, asks through input_required and reads the answer on the retry', async () => {
    const handler = createMcpHandler(make);
    const c = person({ versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await c.connect(new StreamableHTTPClientTransport(new URL('http://in-process/mcp'), { fetch: (url, init) => handler.fetch(new Request(url, init)) }));
    const r = await c.callTool({ name: 'probe_call', arguments: {} });
    expect(r.structuredContent).toEqual({ era: 'modern', version: '2026-07-28', can_ask: true, answer: 'go=true' });
    await handler.close();
  });

  it('on a 2025-11-25 session, the same ask reaches the person as elicitation', async () => {
    const [a, b] = InMemoryTransport.createLinkedPair();
    const c = person();
    await Promise.all([make().connect(b), c.connect(a)]);
    const r = await c.callTool({ name: 'probe_call', arguments: {} });
    expect(r.structuredContent).toEqual({ era: 'legacy', version: '2025-11-25', can_ask: true, answer: 'go=true' });
  });

  it('says it cannot ask when the client declared no elicitation', async () => {
    const [a, b] = InMemoryTransport.createLinkedPair();
    const c = person({}, false);
    await Promise.all([make().connect(b), c.connect(a)]);
    const r = await c.callTool({ name: 'probe_call', arguments: {} });
    expect(r.structuredContent).toMatchObject({ era: 'legacy', can_ask: false, answer: 'missing' });
  });
});
