import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { spawnBin, type Spawned } from './helpers/spawn.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const post = (url: string, headers: Record<string, string> = {}) =>
  request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(INIT) });

describe('the bin over Streamable HTTP (spawned)', () => {
  let p: Spawned;
  let url: string;
  beforeAll(async () => {
    p = spawnBin(['--sandbox', '--http', '--port', '0']);
    url = (await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/mcp/))[0];
  });
  afterAll(async () => p.kill());

  it('prints the endpoint and ready-to-paste client configuration', () => {
    expect(p.stdout()).toContain('claude mcp add --transport http campaign-mcp');
    expect(p.stdout()).toContain('@modelcontextprotocol/inspector');
  });

  it('serves tools to a real MCP client', async () => {
    const client = new Client({ name: 'e2e-http', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(6);
    const r = await client.callTool({ name: 'search_campaigns', arguments: { query: 'sale', limit: 5 } });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { sandbox: boolean }).sandbox).toBe(true);
    await client.close();
  });

  it('refuses a foreign Host or Origin (DNS rebinding)', async () => {
    const port = new URL(url).port;
    expect((await post(url, { host: `evil.example:${port}` })).statusCode).toBe(403);
    expect((await post(url, { origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await post(url, { origin: `http://localhost:${port}` })).statusCode).toBe(200);
  });

  it('answers 404 off the /mcp endpoint', async () => {
    expect((await request(url.replace('/mcp', '/other'))).statusCode).toBe(404);
  });
});

describe('HTTP on another loopback address', () => {
  it('accepts its own Host when bound to 127.0.0.2', async () => {
    const p = spawnBin(['--sandbox', '--http', '--host', '127.0.0.2', '--port', '0']);
    try {
      const url = (await p.waitFor(/http:\/\/127\.0\.0\.2:\d+\/mcp/))[0];
      expect((await post(url)).statusCode).toBe(200);
      expect((await post(url, { host: 'evil.example' })).statusCode).toBe(403);
    } finally {
      await p.kill();
    }
  });
});

describe('HTTP beyond loopback', () => {
  it('refuses to start without CAMPAIGN_MCP_HTTP_TOKEN', async () => {
    const p = spawnBin(['--sandbox', '--http', '--host', '0.0.0.0', '--port', '0']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('CAMPAIGN_MCP_HTTP_TOKEN');
  });

  it('answers 401 without the bearer token and serves with it', async () => {
    const token = 'e2e-http-token-0123456789';
    const p = spawnBin(['--sandbox', '--http', '--host', '0.0.0.0', '--port', '0'], { CAMPAIGN_MCP_HTTP_TOKEN: token });
    try {
      const port = (await p.waitFor(/:(\d+)\/mcp/))[1];
      const url = `http://127.0.0.1:${port}/mcp`;
      expect((await post(url)).statusCode).toBe(401);
      expect((await post(url, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
      expect((await post(url, { authorization: `Bearer ${token}` })).statusCode).toBe(200);
      expect(p.stdout() + p.stderr()).not.toContain(token);
    } finally {
      await p.kill();
    }
  });
});
