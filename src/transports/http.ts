import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpServeOptions {
  host: string;
  port: number;
  token?: string;
  logger: Logger;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Streamable HTTP on /mcp, stateless (a fresh McpServer per request, sharing the caller's context).
 * Loopback binding refuses foreign Host/Origin headers (DNS rebinding); any other binding needs a bearer token.
 */
export async function serveHttp(makeServer: () => McpServer, opts: HttpServeOptions): Promise<{ url: string; close(): Promise<void> }> {
  const loopback = isLoopback(opts.host);
  if (!loopback && !opts.token) {
    throw new Error(`--host ${opts.host} is reachable beyond this machine: set CAMPAIGN_MCP_HTTP_TOKEN so clients must send Authorization: Bearer <token>`);
  }
  let port = opts.port;
  const http = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error({ err: String(err) }, 'http request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== '/mcp') return json(res, 404, { error: 'not found; the MCP endpoint is /mcp' });
    if (loopback && !allowedHost(req.headers.host, port, opts.host)) return json(res, 403, { error: 'forbidden Host header' });
    const origin = req.headers.origin;
    if (origin && !allowedOrigin(origin, req.headers.host, loopback)) return json(res, 403, { error: 'forbidden Origin' });
    if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(res, 401, { error: 'missing or wrong bearer token' });
    }
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req);
      if (text === undefined) return json(res, 413, { error: 'request body too large' });
      try {
        body = JSON.parse(text);
      } catch {
        return json(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
      }
    }
    const server = makeServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    close: () => new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}

function allowedHost(host: string | undefined, port: number, bound: string): boolean {
  if (!host) return false;
  const names = ['127.0.0.1', 'localhost', '[::1]', bound.includes(':') ? `[${bound}]` : bound];
  return names.some((n) => host === `${n}:${port}` || (port === 80 && host === n));
}

function allowedOrigin(origin: string, host: string | undefined, loopback: boolean): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  return loopback ? isLoopback(o.hostname) : o.host === host;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
