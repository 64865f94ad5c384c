import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import {
  createMcpHandler, localhostAllowedHostnames, localhostAllowedOrigins, validateHostHeader, validateOriginHeader, type McpServer,
} from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { Inflight } from '../inflight.js';
import { DRAIN, readBody, sendWebResponse, toWebRequest, type Drain } from './node-fetch.js';
import { MAX_STREAMS, STREAM_LIFETIME_MS, StreamSlots, wantsStream } from './streams.js';

/** The largest request body accepted; a larger one is answered 413 before anything is parsed. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Connections open at once, idle or not: the long-lived streams plus room for ordinary requests. Beyond it a new
 * connection is closed at once, so sockets opened and left silent cannot use up the process's file descriptors.
 */
export const MAX_CONNECTIONS = 512;

export interface HttpServeOptions {
  host: string;
  port: number;
  token?: string;
  logger: Logger;
  /** Long-lived streams (GET, subscriptions/listen) open at once, and how long each may stay open. */
  maxStreams?: number;
  streamLifetimeMs?: number;
  /** How the rest of a body over the cap is drained before its connection is dropped. */
  drain?: Drain;
  /** Connections open at once (default MAX_CONNECTIONS); more are closed as they arrive. */
  maxConnections?: number;
}

/** A listening endpoint, stopped in steps: refuse new requests, drain those in flight, close. */
export interface HttpServing {
  url: string;
  /** Bound to every interface (--host 0.0.0.0 or ::): `url` is this machine's loopback, another machine uses this one's address. */
  everyInterface: boolean;
  /** Streams open now. */
  readonly streams: number;
  /** Answer every new request 503 and end the open streams; calls in flight still answer. */
  refuse(): void;
  /** Resolve once no request is in flight, or false after `ms`. */
  drain(ms: number): Promise<boolean>;
  /** Refuse, drain (within `graceMs`), then close every connection. */
  close(graceMs?: number): Promise<void>;
}

/** The wildcard addresses, each with the loopback address a client on this machine connects to instead. */
const WILDCARD: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]' };

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Streamable HTTP on /mcp for both eras: 2026-07-28 per request and 2025-era through the SDK's stateless fallback,
 * a fresh McpServer per request sharing the caller's context. Loopback binding refuses foreign Host/Origin headers
 * (DNS rebinding); any other binding needs a bearer token.
 */
export async function serveHttp(makeServer: () => McpServer, opts: HttpServeOptions): Promise<HttpServing> {
  const loopback = isLoopback(opts.host);
  if (!loopback && !opts.token) {
    throw new Error(`--host ${opts.host} is reachable beyond this machine: set CAMPAIGN_MCP_HTTP_TOKEN so clients must send Authorization: Bearer <token>`);
  }
  const bound = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  const hostnames = [...localhostAllowedHostnames(), bound];
  const origins = [...localhostAllowedOrigins(), bound];
  const streams = new StreamSlots(opts.maxStreams ?? MAX_STREAMS, opts.streamLifetimeMs ?? STREAM_LIFETIME_MS);
  const mcp = createMcpHandler(() => makeServer(), {
    maxRequestBodySize: MAX_BODY_BYTES,
    maxSubscriptions: streams.max,
    onerror: (err) => opts.logger.debug({ err: err.message }, 'mcp request refused or failed'),
  });
  const requests = new Inflight();
  let draining = false;

  const http = createHttpServer((req, res) => {
    void requests.track(() => handle(req, res)).catch((err: unknown) => {
      opts.logger.error({ err: String(err) }, 'http request failed');
      if (!res.headersSent) refuse(res, 500, 'internal error', null, -32603);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (draining) {
      res.setHeader('connection', 'close');
      return refuse(res, 503, 'shutting down');
    }
    const path = pathOf(req.url);
    if (path === undefined) return refuse(res, 400, 'bad request: the request target is not a path');
    if (path !== '/mcp') return refuse(res, 404, 'not found; the MCP endpoint is /mcp');
    // Beyond loopback any Host is taken, but one must name a host: the request is rebuilt from it (node-fetch.ts).
    // (No Host at all, as HTTP/1.0 may send, is rebuilt on localhost.)
    if (!loopback && req.headers.host !== undefined && !hostnameOf(req.headers.host)) return refuse(res, 400, 'bad request: the Host header names no host');
    if (loopback) {
      const host = validateHostHeader(req.headers.host, hostnames);
      if (!host.ok) return refuse(res, 403, `forbidden Host header: ${host.message}`);
    }
    const origin = validateOriginHeader(req.headers.origin, loopback ? origins : [hostnameOf(req.headers.host)]);
    if (!origin.ok) return refuse(res, 403, `forbidden Origin: ${origin.message}`);
    if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return refuse(res, 401, 'missing or wrong bearer token');
    }
    const body = req.method === 'POST' ? await readBody(req, MAX_BODY_BYTES, opts.drain ?? DRAIN) : Buffer.alloc(0);
    if (body === undefined) {
      return refuse(res, 413, `request body too large (the limit is ${MAX_BODY_BYTES / 1024 / 1024} MiB)`);
    }
    let end: AbortSignal | undefined;
    if (wantsStream(req) && !(end = streams.take(res))) {
      opts.logger.warn({ open: streams.size }, 'stream refused: too many open');
      res.setHeader('retry-after', '30');
      res.setHeader('connection', 'close'); // a refused client holds no socket either
      return refuse(res, 503, `too many open streams: this server keeps at most ${streams.max} open at once; close one you no longer read, or retry later`, requestId(body));
    }
    await sendWebResponse(res, await mcp.fetch(toWebRequest(req, res, req.method === 'POST' ? body : undefined)), end);
  }

  http.maxConnections = Math.max(opts.maxConnections ?? MAX_CONNECTIONS, streams.max + 1);
  let dropped = 0;
  http.on('drop', () => {
    // One line per burst, not one per refused socket.
    if (dropped++ === 0) setTimeout(() => (opts.logger.warn({ dropped, max: http.maxConnections }, 'connections refused: too many open'), (dropped = 0)), 1_000).unref();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const serving: HttpServing = {
    // Bound to every interface: this machine reaches it on loopback (another uses this machine's own address).
    url: `http://${WILDCARD[bound] ?? bound}:${port}/mcp`,
    everyInterface: bound in WILDCARD,
    get streams() {
      return streams.size;
    },
    refuse() {
      if (draining) return;
      draining = true;
      closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      streams.endAll();
    },
    drain: (ms) => requests.drain(ms),
    async close(graceMs = 10_000) {
      serving.refuse();
      const finished = await requests.drain(graceMs);
      if (!finished && graceMs > 0) opts.logger.warn({ inflight: requests.size }, 'shutdown: requests still running after the grace period; dropping them');
      await mcp.close();
      http.closeAllConnections();
      await closed;
    },
  };
  return serving;
}

/** The JSON-RPC id of a request body, to echo in a refusal; null when there is none. */
function requestId(body: Buffer): string | number | null {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

function hostnameOf(host: string | undefined): string {
  try {
    return new URL(`http://${host ?? ''}`).hostname;
  } catch {
    return '';
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A refusal before the request reaches the MCP handler, as the SDK words its own: an HTTP status and a JSON-RPC
 * error with `id: null` (the SDK's shape for an error tied to no request), so a client reads every refusal alike.
 */
function refuse(res: ServerResponse, status: number, message: string, id: string | number | null = null, code = -32000) {
  const body = JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The path a request asks for; undefined when its target is none (`//[zz` is read as a host, and is no valid one). */
function pathOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '/', 'http://local').pathname;
  } catch {
    return undefined;
  }
}
