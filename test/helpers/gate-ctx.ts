import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteGate, type GateSettings } from '../../src/confirm.js';
import { EmbeddedStore } from '../../src/store.js';
import { TokenSigner } from '../../src/tokens.js';
import type { ToolContext } from '../../src/tool.js';
import type { VendorAdapter } from '../../src/vendors/vendor.js';
import type { Client } from '@modelcontextprotocol/client';
import { createServer } from '../../src/server.js';
import { allTools } from '../../tools/index.js';
import { connectInProcess } from './client.js';
import { writableAdapter } from './fake-writer.js';

/** A tool context with a real gate and journal in a temporary directory; `cleanup` removes it. */
export function gateContext(adapters: VendorAdapter[], opts: { dir?: string; now?: () => Date; settings?: Partial<GateSettings>; key?: Buffer } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'gate-'));
  const now = opts.now ?? (() => new Date());
  const store = new EmbeddedStore({ dataDir: dir });
  const settings: GateSettings = { ttlMs: 600_000, maxRecipients: 100_000, ask: 'auto', concurrency: 4, ...opts.settings };
  const gate = new WriteGate(store, new TokenSigner(opts.key ?? Buffer.alloc(32, 7)), settings, now, async () => undefined);
  const ctx: ToolContext = { adapters, sandbox: false, store, gate, now };
  return { ctx, dir, store, close: () => store.close(), cleanup: () => { void store.close(); if (!opts.dir) rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * An MCP client on a server with the write tools and a real gate over `adapters` (journal in a temporary directory);
 * `close` ends the client and the gate, then each of `then` (the HTTP client, the simulator) in order.
 */
export async function gateClient(adapters: VendorAdapter[], settings: Partial<GateSettings>, then: Array<{ close(): Promise<void> }>): Promise<{ client: Client; close(): Promise<void> }> {
  const g = gateContext(adapters, { settings: { ask: 'never', ...settings } });
  const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
  return {
    client,
    async close() {
      await client.close();
      g.cleanup();
      for (const t of then) await t.close();
    },
  };
}

/**
 * The fake writer behind a real gate (test/helpers/fake-writer.ts) and an MCP client on that server; `call(name, args)`
 * returns the result, its structured content and its text. `cleanup` closes the client and removes the journal.
 */
export async function fakeGate(opts: Parameters<typeof gateContext>[1] = {}) {
  const adapter = writableAdapter();
  const g = gateContext([adapter], opts);
  const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    return { r, s: r.structuredContent as any, text: (r.content as Array<{ text: string }>)[0]!.text };
  };
  return { adapter, writer: adapter.writer, g, client, call, cleanup: () => [() => void client.close(), g.cleanup] as const };
}
