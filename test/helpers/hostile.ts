import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the hostile vendor misbehaves; `ok` answers like a small, healthy Batch app. */
export type HostileMode =
  | 'ok' | 'huge' | 'huge-declared' | 'endless' | 'huge-strings' | 'silent' | 'trickle' | 'retry-after' | 'endless-paging' | 'echo';

/** A running hostile vendor: switch `mode` at any time; it counts what it was asked. */
export interface HostileVendor {
  url: string;
  mode: HostileMode;
  /** Body size of `huge` answers (default 50 MB). */
  hugeBytes: number;
  requests: number;
  /** Bytes written to clients, for tests that check a reader stopped early. */
  written: number;
  /** Requests whose client went away before the answer was complete (an aborted read). */
  aborted: number;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(1024 * 1024, 'x');

/** One Batch MEP campaign record, named `name`, created on a fixed day. */
function record(i: number, name: string): Record<string, unknown> {
  return { campaign_token: `t${String(i).padStart(8, '0')}`, name, live: true, from_api: false, dev_only: false, created_date: '2026-11-01T10:00:00', push_time: '2026-11-01T10:00:00' };
}

/**
 * A loopback vendor that answers Batch-shaped requests badly on purpose: huge or endless bodies, huge
 * strings, silence, a trickle, 429 with an absurd Retry-After, paging that never ends, or an echo of
 * the credentials it was sent. Any path is accepted, so it can stand in for any vendor's base URL.
 */
export async function startHostileVendor(mode: HostileMode = 'ok'): Promise<HostileVendor> {
  const sockets = new Set<import('node:net').Socket>();
  const state: HostileVendor = { url: '', mode, hugeBytes: 50 * 1024 * 1024, requests: 0, written: 0, aborted: 0, close: async () => undefined };
  const write = (res: ServerResponse, buf: Buffer | string) => {
    state.written += typeof buf === 'string' ? Buffer.byteLength(buf) : buf.length;
    return res.write(buf);
  };
  const stream = (res: ServerResponse, total: number) => {
    let sent = 0;
    const pump = () => {
      while (!res.destroyed && sent < total) {
        sent += CHUNK.length;
        if (!write(res, CHUNK)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    res.once('close', () => void (res.writableFinished || state.aborted++));
    const url = new URL(req.url ?? '/', 'http://h');
    switch (state.mode) {
      case 'ok':
        return json(res, 200, [record(1, 'Healthy again'), record(2, 'Second')]);
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json' });
        return stream(res, state.hugeBytes);
      case 'huge-declared':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(state.hugeBytes) });
        return stream(res, state.hugeBytes);
      case 'endless':
        res.writeHead(200, { 'content-type': 'application/json' });
        return stream(res, Number.POSITIVE_INFINITY);
      case 'huge-strings':
        return json(res, 200, [record(1, 'N'.repeat(1536 * 1024)), { ...record(2, 'M'.repeat(1024 * 1024)), labels: ['L'.repeat(512 * 1024)] }]);
      case 'silent':
        return; // never answers
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : write(res, ' ')), 200);
        return void res.on('close', () => clearInterval(t));
      }
      case 'retry-after':
        return json(res, 429, { error_code: 60, error_message: 'Too many requests' }, { 'retry-after': '999999' });
      case 'endless-paging': {
        const from = Number(url.searchParams.get('from') ?? 0);
        return json(res, 200, Array.from({ length: 100 }, (_, i) => record(from + i, `Page item ${from + i}`)));
      }
      case 'echo': {
        // Echo the credential back: raw in a record (a proxy or vendor bug), and JSON-escaped inside a message.
        const key = String(req.headers['x-authorization']);
        if (/\/campaigns\/t\d+$/.test(url.pathname)) return json(res, 200, { ...record(1, `Echo ${key}`), description: `sent ${JSON.stringify({ key })}` });
        return json(res, 401, { error_code: 10, error_message: `bad credentials ${JSON.stringify({ key, path: url.pathname })}` });
      }
    }
  };
  const server = createServer(handle);
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return state;
}
