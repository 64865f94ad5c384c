import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_MS = 5_000;

/**
 * The request body, or undefined once it exceeds `max` bytes. The rest is then read and discarded (for at most
 * 5 s) so the client finishes sending and reads the 413 instead of a broken pipe.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const overflow = () => {
      chunks.length = 0;
      req.removeListener('data', collect);
      req.on('data', () => {});
      setTimeout(() => req.destroy(), DRAIN_MS).unref();
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

/** Write a web `Response` to node:http, frame by frame, so an SSE stream reaches the client as it is produced. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
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
  res.on('close', () => void reader.cancel().catch(() => {}));
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
