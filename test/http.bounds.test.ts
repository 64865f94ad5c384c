import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpServer } from '@modelcontextprotocol/server';
import { createLogger, silentLogger } from '../src/log.js';
import { serveHttp, type HttpServing } from '../src/transports/http.js';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
/** A server that announces list changes, so a `subscriptions/listen` stream stays open (the product's does not today). */
const listening = () => new McpServer({ name: 'streams', version: '1' }, { capabilities: { tools: { listChanged: true } } });
const MAX_STREAMS = 100;
const LIFETIME_MS = 1_000;
/**
 * A short drain idle (the default is 5 s) so the stalled sender below is cut quickly; still 40 times the trickle's
 * 25 ms gaps, so a loaded machine delaying the sender's timers does not read as a stall.
 */
const DRAIN = { idleMs: 1_000, maxMs: 20_000, maxBytes: 64 * 1024 * 1024 };

let served: HttpServing;
let port: number;
beforeAll(async () => {
  served = await serveHttp(listening, { host: '127.0.0.1', port: 0, logger: silentLogger, maxStreams: MAX_STREAMS, drain: DRAIN });
  port = Number(new URL(served.url).port);
});
afterAll(() => served.close(0));

/** A raw client: sends `head` and `body` chunks (pausing `gapMs` between them) before it reads anything, like Python's http.client. */
async function rawExchange(head: string, chunks: Buffer[], gapMs = 0, to = port): Promise<{ status: string; socket: Socket; text: () => string; error?: string }> {
  const socket = connect(to, '127.0.0.1');
  socket.pause();
  await new Promise((r) => socket.once('connect', r));
  let error: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
  socket.write(head);
  for (const c of chunks) {
    if (error) break;
    if (!socket.write(c)) await new Promise((r) => (socket.once('drain', r), socket.once('close', r)));
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.resume();
  const t0 = Date.now();
  while (!/\r\n\r\n/.test(text) && !error && !socket.destroyed && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 10));
  return { status: text.split('\r\n')[0] ?? '', socket, text: () => text, ...(error ? { error } : {}) };
}

const listenBody = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { _meta: META, notifications: { toolsListChanged: true } } });
const listenHead = (body: string, to = port) =>
  `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${to}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n` +
  `mcp-protocol-version: 2026-07-28\r\nmcp-method: subscriptions/listen\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('long-lived streams are bounded', () => {
  it(`2,000 listen streams opened and never closed: ${MAX_STREAMS} stay open, the rest are refused 503 with a reason`, async () => {
    const rss0 = process.memoryUsage().rss;
    const results: Array<Awaited<ReturnType<typeof rawExchange>>> = [];
    for (let i = 0; i < 2_000; i += 100) {
      results.push(...(await Promise.all(Array.from({ length: 100 }, (_, j) => rawExchange(listenHead(listenBody(i + j)), [])))));
    }
    const open = results.filter((r) => r.status === 'HTTP/1.1 200 OK');
    const refused = results.filter((r) => r.status.startsWith('HTTP/1.1 503'));
    expect(open).toHaveLength(MAX_STREAMS);
    expect(refused).toHaveLength(2_000 - MAX_STREAMS);
    expect(served.streams).toBe(MAX_STREAMS);
    expect(refused[0]!.text()).toMatch(/retry-after: 30/i);
    expect(refused[0]!.text()).toMatch(/too many open streams: this server keeps at most 100 open at once/);
    const grewMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    console.log(`FIGURE 2,000 listen streams opened, never closed: ${open.length} open, ${refused.length} refused 503; RSS +${grewMb.toFixed(1)} MB (client and server in one process)`);
    expect(grewMb).toBeLessThan(100);
    expect(open[0]!.text()).toContain('notifications/subscriptions/acknowledged');
    // A client that goes away gives its slot back.
    open[0]!.socket.destroy();
    while (served.streams === MAX_STREAMS) await new Promise((r) => setTimeout(r, 10));
    const again = await rawExchange(listenHead(listenBody(9_999)), []);
    expect(again.status).toBe('HTTP/1.1 200 OK');
    for (const r of [...results, again]) r.socket.destroy();
  }, 120_000); // 12 s on an idle machine, 24 s on a loaded one: the 2,000 exchanges are work, not a wait

  it('a stream ends at its lifetime: the slot comes back without the client doing anything', async () => {
    const short = await serveHttp(listening, { host: '127.0.0.1', port: 0, logger: silentLogger, maxStreams: 1, streamLifetimeMs: LIFETIME_MS });
    const to = Number(new URL(short.url).port);
    try {
      const t0 = Date.now();
      const first = await rawExchange(listenHead(listenBody(1), to), [], 0, to);
      expect(first.status).toBe('HTTP/1.1 200 OK');
      expect((await rawExchange(listenHead(listenBody(2), to), [], 0, to)).status).toMatch(/ 503 /);
      while (short.streams > 0 && Date.now() - t0 < LIFETIME_MS + 2_000) await new Promise((r) => setTimeout(r, 10));
      expect(short.streams).toBe(0);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(LIFETIME_MS - 20);
      while (!/0\r\n\r\n$/.test(first.text()) && Date.now() - t0 < LIFETIME_MS + 4_000) await new Promise((r) => setTimeout(r, 10));
      expect(first.text()).toMatch(/0\r\n\r\n$/); // the response ended cleanly (last chunk), not a reset
      const next = await rawExchange(listenHead(listenBody(3), to), [], 0, to);
      expect(next.status).toBe('HTTP/1.1 200 OK');
      first.socket.destroy();
      next.socket.destroy();
    } finally {
      await short.close(0);
    }
  });
});

describe('a body over the cap always gets its 413', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const pieces = (size: number, n: number) => Array.from({ length: n }, () => Buffer.alloc(size, 'x'));
  const head = (framing: string) => `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n${framing}\r\n\r\n`;
  const chunkedFraming = (bufs: Buffer[]) => [...bufs.map((b) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')])), Buffer.from('0\r\n\r\n')];

  // Trickled: 160 pieces 25 ms apart, so what follows the 4 MiB cap takes about 2.4 s, more than twice the drain's
  // idle: a drain that stopped on a fixed window instead of the sender's silence would reset it.
  for (const [name, gapMs, size] of [['sent at once', 0, 1024 * 1024], ['trickled (160 pieces, 25 ms apart)', 25, 64 * 1024]] as const) {
    it(`10 MB ${name}, with content-length and chunked, sent whole before reading`, async () => {
      const bufs = pieces(size, TEN_MB / size);
      const [declared, chunked] = await Promise.all([
        rawExchange(head(`content-length: ${TEN_MB}`), bufs, gapMs),
        rawExchange(head('transfer-encoding: chunked'), chunkedFraming(bufs), gapMs),
      ]);
      for (const r of [declared, chunked]) {
        expect(r.error).toBeUndefined();
        expect(r.status).toBe('HTTP/1.1 413 Payload Too Large');
        expect(r.text()).toContain('request body too large (the limit is 4 MiB)');
        r.socket.destroy();
      }
    });
  }

  it('a sender that stalls mid-body is cut off after the idle drain, not held forever', async () => {
    const t0 = Date.now();
    const r = await rawExchange(head(`content-length: ${TEN_MB}`), pieces(1024 * 1024, 5));
    expect(r.status).toBe('HTTP/1.1 413 Payload Too Large');
    while (!r.socket.destroyed && Date.now() - t0 < 4_000) await new Promise((res) => r.socket.once('close', res).once('end', res));
    expect(Date.now() - t0).toBeLessThan(DRAIN.idleMs + 1_500);
    r.socket.destroy();
  });
});

describe('connections are bounded, idle ones too', () => {
  it('past the cap a new connection is closed as it arrives, said once in the log; closing some lets new ones in', async () => {
    const lines: string[] = [];
    const capped = await serveHttp(listening, { host: '127.0.0.1', port: 0, logger: createLogger('warn', { write: (l: string) => lines.push(l) }), maxStreams: 5, maxConnections: 20 });
    const to = Number(new URL(capped.url).port);
    const closed = new Set<Socket>();
    const open = async () => {
      const socket = connect(to, '127.0.0.1');
      socket.once('close', () => closed.add(socket)).on('error', () => undefined).resume();
      await new Promise((r) => socket.once('connect', r));
      return socket;
    };
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 60; i++) sockets.push(await open());
      await expect.poll(() => closed.size, { timeout: 5_000 }).toBe(40);
      await new Promise((r) => setTimeout(r, 200));
      expect(closed.size).toBe(40); // the first 20, silent as they are, stay open
      expect(sockets.slice(0, 20).every((s) => !closed.has(s))).toBe(true);
      await expect.poll(() => lines.join(''), { timeout: 3_000 }).toMatch(/"dropped":40,"max":20,"msg":"connections refused: too many open"/);
      for (const s of sockets.slice(0, 10)) s.destroy();
      // Once the server has seen those closes (a moment, longer on a loaded machine: before, a fixed 100 ms), a new
      // connection is served again; one that comes earlier is still over the cap and closed, so ask until one is.
      await expect.poll(async () => {
        const r = await rawExchange(`GET /elsewhere HTTP/1.1\r\nhost: 127.0.0.1:${to}\r\n\r\n`, [], 0, to);
        r.socket.destroy();
        return r.status;
      }, { timeout: 5_000, interval: 20 }).toBe('HTTP/1.1 404 Not Found');
    } finally {
      for (const s of sockets) s.destroy();
      await capped.close(0);
    }
  });
});

describe('who may call: the bearer token and the Origin', () => {
  const discover = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: META } });
  /** One opening request with `headers`; its status. */
  const call = async (url: string, headers: Record<string, string> = {}) => {
    const r = await fetch(url, {
      method: 'POST', body: discover,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover', ...headers },
    });
    await r.arrayBuffer();
    return r.status;
  };
  const token = 'bounds-token-0123456789abcdef';

  it('takes exactly the token: one character short, one too many, or none is 401', async () => {
    const guarded = await serveHttp(listening, { host: '127.0.0.1', port: 0, logger: silentLogger, token });
    try {
      expect(await call(guarded.url, { authorization: `Bearer ${token}` })).toBe(200);
      expect(await call(guarded.url, { authorization: `Bearer ${token.slice(0, -1)}` })).toBe(401);
      expect(await call(guarded.url, { authorization: `Bearer ${token}x` })).toBe(401);
      expect(await call(guarded.url, { authorization: `Bearer ${token.slice(0, 4)}` })).toBe(401);
      expect(await call(guarded.url, { authorization: token })).toBe(401);
      expect(await call(guarded.url)).toBe(401);
    } finally {
      await guarded.close(0);
    }
  });

  it('on loopback refuses a foreign Origin 403 and serves its own', async () => {
    expect(await call(served.url, { origin: 'http://evil.example' })).toBe(403);
    expect(await call(served.url, { origin: `http://localhost:${port}` })).toBe(200);
  });

  it('every refusal of ours is a JSON-RPC error with no id, shaped as the SDK\'s own (a client reads them alike)', async () => {
    const guarded = await serveHttp(listening, { host: '127.0.0.1', port: 0, logger: silentLogger, token });
    // node:http, not fetch: fetch sends its own Host header whatever it is given.
    const answer = (url: string, headers: Record<string, string>, body = discover) => new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover', ...headers } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as unknown }));
      });
      req.on('error', reject).end(body);
    });
    const accept = { accept: 'application/json, text/event-stream' };
    const auth = { authorization: `Bearer ${token}`, ...accept };
    try {
      const sdk = await answer(guarded.url, auth, '{"jsonrpc": "2.0", "id": 1,'); // the SDK's own refusal: no JSON
      expect(sdk.status).toBe(400);
      const shape = { jsonrpc: '2.0', id: null, error: { code: expect.any(Number), message: expect.any(String) } };
      expect(sdk.body).toEqual(shape);
      const ours = [
        [await answer(guarded.url, accept), 401, /bearer token/],
        [await answer(guarded.url, { ...auth, origin: 'http://evil.example' }), 403, /forbidden Origin/],
        [await answer(guarded.url, { ...auth, host: 'evil.example' }), 403, /forbidden Host/],
        [await answer(guarded.url.replace(/\/mcp$/, '/other'), auth), 404, /the MCP endpoint is \/mcp/],
      ] as const;
      for (const [got, status, words] of ours) {
        expect(got.status).toBe(status);
        expect(got.body).toEqual(shape);
        expect((got.body as { error: { message: string } }).error.message).toMatch(words);
      }
    } finally {
      await guarded.close(0);
    }
  });

  it('beyond loopback refuses an Origin other than the Host asked for, even with the token', async () => {
    const wide = await serveHttp(listening, { host: '0.0.0.0', port: 0, logger: silentLogger, token });
    try {
      const url = `http://127.0.0.1:${new URL(wide.url).port}/mcp`;
      const auth = { authorization: `Bearer ${token}` };
      expect(await call(url, { ...auth, origin: 'http://evil.example' })).toBe(403);
      expect(await call(url, { ...auth, origin: 'http://127.0.0.1' })).toBe(200);
      // A Host or a request target that names nothing valid is a 400 of ours, not a 500 from rebuilding the request.
      const wport = Number(new URL(wide.url).port);
      for (const [target, host] of [['/mcp', '[zz'], ['//[zz', '127.0.0.1']]) {
        const r = await rawExchange(`POST ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${discover.length}\r\nconnection: close\r\n\r\n`, [Buffer.from(discover)], 0, wport);
        await new Promise((done) => (r.socket.destroyed ? done(undefined) : r.socket.once('close', done)));
        r.socket.destroy();
        expect(r.status, `${target} ${host}`).toBe('HTTP/1.1 400 Bad Request');
        expect(JSON.parse(r.text().split('\r\n\r\n')[1]!)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringMatching(/^bad request: /) } });
      }
      // No Host at all (HTTP/1.0 may send none) is served, as before.
      const bare = await rawExchange(`POST /mcp HTTP/1.0\r\nAuthorization: Bearer ${token}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\nmcp-protocol-version: 2026-07-28\r\nmcp-method: server/discover\r\ncontent-length: ${discover.length}\r\n\r\n`, [Buffer.from(discover)], 0, wport);
      bare.socket.destroy();
      expect(bare.status).toMatch(/^HTTP\/1\.[01] 200 OK$/);
    } finally {
      await wide.close(0);
    }
  });
});
