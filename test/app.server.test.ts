import { afterEach, describe, expect, it } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { EXTENSION_ID, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { readFileSync } from 'node:fs';
import { stdioArgs } from './helpers/clients.js';
import { APP_VIEWS, VIEW_UI_META, type ToolListCache } from '../src/app.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import type { ToolDefinition } from '../src/tool.js';
import { gateContext } from './helpers/gate-ctx.js';
import { writableAdapter } from './helpers/fake-writer.js';

const UI = { [EXTENSION_ID]: { mimeTypes: [RESOURCE_MIME_TYPE] } };
const LINKS = {
  create_campaign: APP_VIEWS['write-preview'].uri, send_to_users: APP_VIEWS['write-preview'].uri,
  set_campaign_status: APP_VIEWS['write-preview'].uri, audit_campaigns: APP_VIEWS['audit-report'].uri,
};
const NOW = new Date('2026-11-22T12:00:00Z');
type Era = 'legacy' | 'modern';

const open: Array<{ client: Client; cleanup(): void }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.client.close();
    o.cleanup();
  }
});

/** A real client over memory: 2025-11-25 (initialize) or 2026-07-28 (capabilities on every request), with or without the extension. */
const newContext = () => gateContext([writableAdapter()], { now: () => NOW, key: Buffer.alloc(32, 3) });

async function connect(opts: { era: Era; extensions?: Record<string, unknown>; tools?: readonly ToolDefinition[]; readOnly?: boolean; toolList?: ToolListCache; g?: ReturnType<typeof newContext> }) {
  const g = opts.g ?? newContext();
  const make = () => createServer(g.ctx, opts.tools ?? allTools, { readOnly: opts.readOnly ?? false, ...(opts.toolList && { toolList: opts.toolList }) });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'app-test', version: '1' }, {
    capabilities: opts.extensions ? { extensions: opts.extensions } : {},
    ...(opts.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
  } as never);
  // Either era on one connection, as the stdio entry serves it (src/transports/stdio.ts), over memory.
  serveStdio(make, { transport: b });
  await client.connect(a);
  expect(client.getNegotiatedProtocolVersion()).toBe(opts.era === 'modern' ? '2026-07-28' : '2025-11-25');
  open.push({ client, cleanup: opts.g ? () => undefined : g.cleanup });
  return client;
}

/** The registry as it was before views existed: no tool names a view. */
const unlinked = allTools.map(({ app: _app, ...t }) => t as ToolDefinition);

const PREVIEW_ARGS = { vendor: 'clevertap', channel: 'push', recipients: { ids: ['u1', 'u2', 'u2'], id_type: 'identity' }, content: { title: 'Hi', body: 'Back in stock' } };
const masked = (r: unknown) => JSON.parse(JSON.stringify(r).replace(/"confirm":"[^"]+"/g, '"confirm":"<t>"').replace(/confirm=\\"[^"\\]+\\"/g, 'confirm=\\"<t>\\"'));

describe.each(['legacy', 'modern'] as const)('MCP Apps links (%s era)', (era) => {
  it('a client without the extension sees exactly the lists and results of a server without views', async () => {
    const plain = await connect({ era });
    const before = await connect({ era, tools: unlinked });
    const [tools, baseline] = await Promise.all([plain.listTools(), before.listTools()]);
    expect(tools).toEqual(baseline);
    expect(tools.tools.filter((t) => t._meta !== undefined)).toEqual([]);
    const [res, baseRes] = await Promise.all([plain.listResources(), before.listResources()]);
    expect(res).toEqual(baseRes);
    expect(res.resources.map((r) => r.uri).filter((u) => u.startsWith('ui://'))).toEqual([]);
    const [r1, r2] = await Promise.all([plain.callTool({ name: 'send_to_users', arguments: PREVIEW_ARGS }), before.callTool({ name: 'send_to_users', arguments: PREVIEW_ARGS })]);
    expect((r1.structuredContent as { status: string }).status).toBe('confirmation_required');
    expect(masked(r1)).toEqual(masked(r2));
  });

  it('a client that declares it gets each write tool and audit_campaigns linked to its view, nothing else changed', async () => {
    const ui = await connect({ era, extensions: UI });
    const plain = await connect({ era });
    const [linked, unlinkedList] = await Promise.all([ui.listTools(), plain.listTools()]);
    const links = Object.fromEntries(linked.tools.filter((t) => t._meta).map((t) => [t.name, (t._meta as { ui: { resourceUri: string } }).ui.resourceUri]));
    expect(links).toEqual(LINKS);
    for (const t of linked.tools.filter((x) => x._meta)) expect(t._meta!['ui/resourceUri'], t.name).toBe(LINKS[t.name as keyof typeof LINKS]);
    expect(linked.tools.map(({ _meta, ...rest }) => rest)).toEqual(unlinkedList.tools);
  });

  it('servers sharing one tools/list answer (as a process\'s do) still link only for the clients that declare it', async () => {
    const g = newContext();
    try {
      const toolList: ToolListCache = {};
      const first = await connect({ era, toolList, g });
      const plainTools = await first.listTools();
      const kept = toolList.answers;
      expect(kept).toBeDefined(); // answered once, kept for the next server
      const ui = await connect({ era, extensions: UI, toolList, g });
      const linked = await ui.listTools();
      expect(Object.fromEntries(linked.tools.filter((t) => t._meta).map((t) => [t.name, (t._meta as { ui: { resourceUri: string } }).ui.resourceUri]))).toEqual(LINKS);
      const again = await connect({ era, toolList, g });
      expect(await again.listTools()).toEqual(plainTools);
      expect(plainTools.tools.filter((t) => t._meta)).toEqual([]);
      expect(toolList.answers).toBe(kept);
      // A server built otherwise (read-only: no write tool) keeps its own answer, never the shared one.
      const readOnly = await connect({ era, extensions: UI, toolList, g, readOnly: true });
      expect((await readOnly.listTools()).tools.filter((t) => t._meta).map((t) => t.name)).toEqual(['audit_campaigns']);
      expect(toolList.answers).toBe(kept);
    } finally {
      for (const o of open.splice(0)) await o.client.close();
      g.cleanup();
    }
  });

  it('lists and serves both views as self-contained HTML with an empty CSP allowlist', async () => {
    const ui = await connect({ era, extensions: UI });
    const listed = (await ui.listResources()).resources.filter((r) => r.uri.startsWith('ui://'));
    expect(listed.map((r) => [r.uri, r.mimeType])).toEqual(Object.values(APP_VIEWS).map((v) => [v.uri, RESOURCE_MIME_TYPE]));
    for (const r of listed) expect(r._meta, r.uri).toEqual({ ui: VIEW_UI_META });
    for (const view of Object.values(APP_VIEWS)) {
      const read = await ui.readResource({ uri: view.uri });
      const c = read.contents[0] as { uri: string; mimeType: string; text: string; _meta: unknown };
      expect([c.uri, c.mimeType]).toEqual([view.uri, 'text/html;profile=mcp-app']);
      expect(c._meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, prefersBorder: true } });
      expect(c.text).toMatch(/^<!doctype html>/);
      expect(c.text).toContain("connect-src 'none'");
      // One file: no external script, style, image or font.
      expect(c.text).not.toMatch(/<script[^>]+src=|<link\b|@import|url\(\s*['"]?https?:/i);
    }
  });
});

describe('MCP Apps links, edge cases', () => {
  it('links nothing for an extension entry that does not list our mime type', async () => {
    const other = await connect({ era: 'legacy', extensions: { [EXTENSION_ID]: { mimeTypes: ['text/uri-list'] } } });
    expect((await other.listTools()).tools.filter((t) => t._meta)).toEqual([]);
  });

  it('in read-only mode offers only the audit view (no write tool, no preview card)', async () => {
    const ui = await connect({ era: 'legacy', extensions: UI, readOnly: true });
    const uris = (await ui.listResources()).resources.map((r) => r.uri).filter((u) => u.startsWith('ui://'));
    expect(uris).toEqual([APP_VIEWS['audit-report'].uri]);
    expect((await ui.listTools()).tools.filter((t) => t._meta).map((t) => t.name)).toEqual(['audit_campaigns']);
  });
});

describe('MCP Apps from the bundled bin', () => {
  it('serves the views inlined in the bundle, byte for byte the files the build wrote, over stdio', async () => {
    const client = new Client({ name: 'app-e2e', version: '1' }, { capabilities: { extensions: UI } } as never);
    // The test data directory (test/global-setup.ts), never $HOME.
    await client.connect(new StdioClientTransport(stdioArgs(['--data-dir', process.env.CAMPAIGN_MCP_DATA_DIR!])));
    try {
      const links = (await client.listTools()).tools.filter((t) => t._meta).map((t) => t.name).sort();
      expect(links).toEqual(Object.keys(LINKS).sort());
      for (const [id, view] of Object.entries(APP_VIEWS)) {
        const c = (await client.readResource({ uri: view.uri })).contents[0] as { text: string };
        expect(c.text).toBe(readFileSync(`dist/ui/${id}.html`, 'utf8'));
        expect(c.text.length).toBeLessThan(32 * 1024);
      }
    } finally {
      await client.close();
    }
  });
});
