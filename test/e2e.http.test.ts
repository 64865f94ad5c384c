import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { request } from 'undici';
import { spawnBin, type Spawned } from './helpers/spawn.js';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
/** The opening request of each era, as a client sends it. */
const ERAS = {
  '2025-11-25': { headers: {}, body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } } },
  '2026-07-28': { headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' }, body: { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: META } } },
} as const;
type Era = keyof typeof ERAS;

const post = (url: string, era: Era, headers: Record<string, string> = {}, body: unknown = JSON.stringify(ERAS[era].body)) =>
  request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...ERAS[era].headers, ...headers }, body: body as string });

/** A JSON-RPC request padded past the 4 MiB cap. */
const oversized = (era: Era) => JSON.stringify({ ...ERAS[era].body, params: { ...ERAS[era].body.params, pad: 'x'.repeat(5 * 1024 * 1024) } });

async function* chunked(text: string) {
  for (let i = 0; i < text.length; i += 256 * 1024) yield Buffer.from(text.slice(i, i + 256 * 1024));
}

describe('the bin over Streamable HTTP (spawned)', () => {
  let p: Spawned;
  let url: string;
  beforeAll(async () => {
    p = spawnBin(['--sandbox', '--http', '--port', '0']);
    url = (await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/mcp/))[0];
  });
  afterAll(async () => p.kill());

  it('prints the endpoint and ready-to-paste client configuration', () => {
    // The endpoint alone on the first line, so the whole line is the URL.
    expect(p.stdout().split('\n')[0]).toBe(url);
    expect(p.stdout()).toContain('claude mcp add --transport http campaign-mcp');
    expect(p.stdout()).toContain('@modelcontextprotocol/inspector');
  });

  it('serves tools to a real MCP client', async () => {
    const client = new Client({ name: 'e2e-http', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(client.getProtocolEra()).toBe('modern');
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(6);
    const r = await client.callTool({ name: 'search_campaigns', arguments: { query: 'sale', limit: 5 } });
    expect(r.isError).toBeFalsy();
    expect((r.structuredContent as { sandbox: boolean }).sandbox).toBe(true);
    await client.close();
  });

  for (const era of Object.keys(ERAS) as Era[]) {
    describe(`in the ${era} era`, () => {
      it('answers the opening request', async () => {
        const r = await post(url, era);
        expect(r.statusCode).toBe(200);
        expect(await r.body.text()).toContain(era);
      });

      it('refuses a foreign Host or Origin (DNS rebinding)', async () => {
        const port = new URL(url).port;
        expect((await post(url, era, { host: `evil.example:${port}` })).statusCode).toBe(403);
        expect((await post(url, era, { origin: 'http://evil.example' })).statusCode).toBe(403);
        expect((await post(url, era, { origin: `http://localhost:${port}` })).statusCode).toBe(200);
      });

      it('answers 413 to a body over 4 MiB, declared or streamed', async () => {
        expect((await post(url, era, {}, oversized(era))).statusCode).toBe(413);
        expect((await post(url, era, {}, chunked(oversized(era)))).statusCode).toBe(413);
      });
    });
  }

  it('answers 404 off the /mcp endpoint', async () => {
    expect((await request(url.replace('/mcp', '/other'))).statusCode).toBe(404);
  });
});

describe('HTTP on another loopback address', () => {
  it('accepts its own Host when bound to 127.0.0.2', async () => {
    const p = spawnBin(['--sandbox', '--http', '--host', '127.0.0.2', '--port', '0']);
    try {
      const url = (await p.waitFor(/http:\/\/127\.0\.0\.2:\d+\/mcp/))[0];
      expect((await post(url, '2025-11-25')).statusCode).toBe(200);
      expect((await post(url, '2026-07-28')).statusCode).toBe(200);
      expect((await post(url, '2026-07-28', { host: 'evil.example' })).statusCode).toBe(403);
    } finally {
      await p.kill();
    }
  });
});

describe('HTTP with CAMPAIGN_MCP_REDIS_URL unreachable', () => {
  it('exits 2 with where and why, never the password, nothing on stdout, and leaves nothing running', async () => {
    const p = spawnBin(['--http', '--port', '0'], { CAMPAIGN_MCP_REDIS_URL: 'redis://:s3cret-redis-pw@127.0.0.1:1/0' });
    // A Redis client left reconnecting would keep the process alive: it must exit by itself.
    const timer = setTimeout(() => p.proc.kill('SIGKILL'), 10_000);
    expect(await p.exited.finally(() => clearTimeout(timer))).toBe(2);
    expect(p.stderr()).toContain('cannot reach Redis at redis://:***@127.0.0.1:1/0');
    expect(p.stderr() + p.stdout()).not.toContain('s3cret-redis-pw');
    expect(p.stdout()).toBe('');
  });
});

describe('HTTP beyond loopback', () => {
  it('refuses to start without CAMPAIGN_MCP_HTTP_TOKEN', async () => {
    const p = spawnBin(['--sandbox', '--http', '--host', '0.0.0.0', '--port', '0']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('CAMPAIGN_MCP_HTTP_TOKEN');
  });

  it('answers 401 without the bearer token and serves with it, in both eras', async () => {
    const token = 'e2e-http-token-0123456789';
    const p = spawnBin(['--sandbox', '--http', '--host', '0.0.0.0', '--port', '0'], { CAMPAIGN_MCP_HTTP_TOKEN: token });
    try {
      // The endpoint as printed: this machine's loopback (http://0.0.0.0:… names no host to give anyone), and a word for other machines.
      const url = (await p.waitFor(/^(http:\S+)$/m))[1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      await p.waitFor(/bound to every interface: from another machine, put this machine's address \(its name or IP\) in place of 127\.0\.0\.1/);
      for (const era of Object.keys(ERAS) as Era[]) {
        expect((await post(url, era)).statusCode, era).toBe(401);
        expect((await post(url, era, { authorization: 'Bearer wrong' })).statusCode, era).toBe(401);
        expect((await post(url, era, { authorization: `Bearer ${token}` })).statusCode, era).toBe(200);
      }
      expect(p.stdout() + p.stderr()).not.toContain(token);
    } finally {
      await p.kill();
    }
  });
});
