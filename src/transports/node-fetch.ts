import type { IncomingMessage, ServerResponse } from 'node:http';

/** How the rest of a body over the cap is drained: while it keeps coming, within bounds. */
export interface Drain {
  /** Longest gap between chunks before the connection is dropped. */
  idleMs: number;
  /** Longest drain, however steadily it comes. */
  maxMs: number;
  /** Most bytes discarded. */
  maxBytes: number;
}

/** A 10 MB body sent slowly still ends and its sender reads the 413; a sender that never stops is cut off. */
export const DRAIN: Drain = { idleMs: 5_000, maxMs: 60_000, maxBytes: 64 * 1024 * 1024 };

/**
 * The request body, or undefined once it exceeds `max` bytes. The rest is then read and discarded while it keeps
 * coming (within `drain`), so a client that sends everything before it reads gets the 413, not a reset connection.
 */
export function readBody(req: IncomingMessage, max: number, drain: Drain = DRAIN): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const overflow = () => {
      chunks.length = 0;
      req.removeListener('data', collect);
      let discarded = 0;
      const cut = () => {
        clearTimeout(idle);
        clearTimeout(longest);
        req.destroy();
      };
      const idle = setTimeout(cut, drain.idleMs).unref();
      const longest = setTimeout(cut, drain.maxMs).unref();
      req.on('data', (c: Buffer) => ((discarded += c.length) > drain.maxBytes ? cut() : idle.refresh()));
      req.once('end', () => (clearTimeout(idle), clearTimeout(longest)));
      req.once('close', () => (clearTimeout(idle), clearTimeout(longest)));
      resolve(undefined);
    };
    const collect = (c: Buffer) => {
      size += c.length;
      if (size > max) overflow();
      else chunks.push(c);
    };
    if (Number(req.headers['content-length'] ?? 0) > max) return overflow();
    req.on('data', collect);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** A web `Request` for a node:http request and its (already read) body, aborted when the client goes away. */
export function toWebRequest(req: IncomingMessage, res: ServerResponse, body?: Buffer): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), {
    method: req.method,
    headers,
    signal: abort.signal,
    ...(body ? { body } : {}),
  });
}

/** Write a web `Response` to node:http, frame by frame, so an SSE stream reaches the client as it is produced; `end` ends it early. */
export async function sendWebResponse(res: ServerResponse, response: Response, end?: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key === 'set-cookie') return;
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  res.on('close', cancel);
  end?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    }
  } finally {
    res.end();
  }
}
