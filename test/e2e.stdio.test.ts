import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { runMain, tempDirs } from './helpers/main-io.js';
import { BIN, isolatedEnv, spawnBin } from './helpers/spawn.js';

describe('the bin over stdio (spawned)', () => {
  let client: Client | undefined;
  afterAll(async () => client?.close());

  it('answers tools/list and a cross-vendor listing on the sandbox', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, '--sandbox'], stderr: 'pipe', env: { PATH: process.env.PATH ?? '', ...isolatedEnv() } });
    client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_campaigns');
    const r = await client.callTool({ name: 'list_campaigns', arguments: { limit: 10 } });
    const s = r.structuredContent as { campaigns: Array<{ vendor: string }>; sandbox: boolean; total: number };
    expect(r.isError).toBeFalsy();
    expect(s.sandbox).toBe(true);
    expect(s.campaigns).toHaveLength(10);
    expect(s.total).toBeGreaterThan(10);
  });

  it('writes nothing but JSON-RPC messages to stdout', async () => {
    const p = spawnBin(['--sandbox'], { LOG_LEVEL: 'debug' });
    const send = (msg: object) => p.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await p.waitFor(/"id":1/);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_campaigns', arguments: { vendor: 'batch', limit: 3 } } });
    await p.waitFor(/"id":2/);
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_campaign', arguments: { vendor: 'batch', id: 'no-such-token' } } });
    await p.waitFor(/"id":3/);
    p.proc.stdin.end();
    await p.exited;
    const lines = p.stdout().split('\n').filter(Boolean);
    expect(lines.length).toBe(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(p.stderr()).toContain('"msg":"vendor request"'); // logs went to stderr
  });

  it('a misconfiguration exits non-zero with a message naming the variable', async () => {
    const p = spawnBin([], { CLEVERTAP_ACCOUNT_ID: 'ABC' });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/CLEVERTAP_PASSCODE is not set/);
    expect(p.stderr()).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('campaign-mcp call through the real bin: the listing on stdout, the hint on stderr, exit 0', async () => {
    const p = spawnBin(['call', 'list_campaigns', '{"limit":5,"vendor":"batch"}', '--sandbox']);
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toMatch(/^\[sandbox data\] 5 of \d+ campaigns, newest first\.\n(batch \S+ ".*\n){5}More: cursor="[^"]+"\n$/);
    expect(p.stderr()).toBe('campaign-mcp: more results remain: give the cursor to the next call, or add --all to print every page in this run.\n');
  });
});

describe('campaign-mcp call (in-process: main() with its own io)', () => {
  const dirs = tempDirs('campaign-mcp-e2e-call-');
  afterAll(() => dirs.remove());

  it('prints the text result on stdout, a tool error on stderr with exit 1', async () => {
    const ok = await runMain(['call', 'list_vendors', '{}', '--sandbox', '--data-dir', dirs.make()]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/clevertap\/default: list; search/);
    expect(ok.err).toBe('');
    const bad = await runMain(['call', 'get_campaign', '{"vendor":"nope","id":"1"}', '--sandbox', '--data-dir', dirs.make()]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/vendor must be one of/);
    expect(bad.out).toBe('');
  });
});
