import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/server';
import { silentLogger } from '../src/log.js';
import { serveHttp, type HttpServing } from '../src/transports/http.js';

// src/transports/http.ts: the connection cap is never below the listen-stream cap + 1, so a configured cap below
// the stream cap cannot let open streams take every connection and lock out the calls they exist to serve.

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
const STREAMS = 3;

/** Announces list changes (so a listen stream stays open) and has one tool to call. */
function pingServer() {
  const server = new McpServer({ name: 'caps', version: '1' }, { capabilities: { tools: { listChanged: true } } });
  server.registerTool('ping', { description: 'answers pong', inputSchema: z.object({}) }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
  return server;
}

let served: HttpServing | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await served?.close(0);
  served = undefined;
});

/** Open a connection; `closed` resolves when the server (or anything) closes it. */
async function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (text += d.toString())).on('error', () => undefined).once('close', () => (closed = true));
  await new Promise((r) => socket.once('connect', r));
  return { socket, text: () => text, closed: () => closed };
}

/** Send one request on a fresh connection and wait for its status line (or for the connection to be closed). */
async function exchange(port: number, method: string, params: Record<string, unknown>, id: number, extra: Record<string, string> = {}) {
  const c = await open(port);
  const body = JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } });
  const headers = {
    host: `127.0.0.1:${port}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28', 'mcp-method': method, 'content-length': String(Buffer.byteLength(body)), ...extra,
  };
  c.socket.write(`POST /mcp HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
  await expect.poll(() => /\r\n\r\n/.test(c.text()) || c.closed(), { timeout: 5_000 }).toBe(true);
  return { ...c, status: c.text().split('\r\n')[0] ?? '' };
}

const listen = (port: number, id: number) => exchange(port, 'subscriptions/listen', { notifications: { toolsListChanged: true } }, id);
const ping = (port: number, id: number) => exchange(port, 'tools/call', { name: 'ping', arguments: {} }, id, { 'mcp-name': 'ping' });

describe('the connection cap is never below the stream cap + 1', () => {
  it('configured below the stream cap: every stream opens, and a tool call still gets through while they are all open', async () => {
    served = await serveHttp(pingServer, { host: '127.0.0.1', port: 0, logger: silentLogger, maxStreams: STREAMS, maxConnections: 1 });
    const port = Number(new URL(served.url).port);
    const streams = [];
    for (let i = 0; i < STREAMS; i++) streams.push(await listen(port, i + 1));
    expect(streams.map((s) => s.status)).toEqual(Array(STREAMS).fill('HTTP/1.1 200 OK'));
    expect(served.streams).toBe(STREAMS);
    const call = await ping(port, 99);
    expect(call.status).toBe('HTTP/1.1 200 OK');
    await expect.poll(() => call.text(), { timeout: 5_000 }).toMatch(/"text":"pong"/);
    // The streams were not given up to make room.
    expect(served.streams).toBe(STREAMS);
    expect(streams.every((s) => !s.closed())).toBe(true);
  });

  it('the floor is the stream cap + 1, no more: with the streams and one other connection open, the next is closed as it arrives', async () => {
    served = await serveHttp(pingServer, { host: '127.0.0.1', port: 0, logger: silentLogger, maxStreams: STREAMS, maxConnections: 1 });
    const port = Number(new URL(served.url).port);
    for (let i = 0; i < STREAMS; i++) expect((await listen(port, i + 1)).status).toBe('HTTP/1.1 200 OK');
    const idle = await open(port);
    const over = await open(port);
    await expect.poll(() => over.closed(), { timeout: 5_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(idle.closed()).toBe(false);
    // Once the extra connection goes (and the server has seen it go: a moment, before a fixed 50 ms), a call gets
    // through again; one sent before that is still over the cap, so ask until one gets through.
    idle.socket.destroy();
    await expect.poll(async () => (await ping(port, 7)).status, { timeout: 5_000, interval: 20 }).toBe('HTTP/1.1 200 OK');
  });
});
