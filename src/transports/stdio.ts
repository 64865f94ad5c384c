import {
  isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse,
  type JSONRPCMessage, type McpServer, type RequestId, type Transport, type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as serveBothEras, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { Transform, type TransformCallback } from 'node:stream';
import type { Logger } from 'pino';
import type { Inflight } from '../inflight.js';

/**
 * Serve one client over stdin/stdout, in whichever era it opens with (2026-07-28 `server/discover` or a
 * 2025-era `initialize`); stdout carries protocol messages only. Requests count in `inflight` until answered.
 * `onClosed` hears when the transport closes: at EOF (`undefined`), or why it gave up (a message over the
 * SDK's 10 MiB line limit, a broken stdout): a process that stays up then is deaf, so the caller exits.
 */
export function serveStdio(makeServer: () => McpServer, logger: Logger, inflight: Inflight, onClosed: (why: string | undefined) => void): StdioServerHandle {
  const stdin = process.stdin.pipe(new LineGuard(MAX_LINE_BYTES));
  return serveBothEras(() => makeServer(), {
    transport: new CountingTransport(new StdioServerTransport(stdin, process.stdout), inflight, onClosed),
    onerror: (err) => logger.debug({ err: err.message }, 'stdio message refused'),
  });
}

/** The SDK's own limit on one stdin line (its ReadBuffer's); LineGuard applies it without buffering the line. */
const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * Passes stdin on in whole lines and fails the stream as soon as one grows past `max` bytes. The SDK would find
 * out too, but only after copying and rescanning its whole buffer for every 64 KiB of a partial line: seconds of
 * CPU for one 10 MB line. Whole lines reach it in one piece, so its buffer work stays linear.
 */
class LineGuard extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      this.heldBytes += chunk.length;
      if (this.heldBytes > this.max) return done(this.tooLong());
      this.held.push(chunk);
      return done();
    }
    if (this.heldBytes + chunk.indexOf(10) > this.max) return done(this.tooLong());
    const lines = this.held.length ? Buffer.concat([...this.held, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1);
    const rest = chunk.subarray(last + 1);
    this.held = rest.length ? [rest] : [];
    this.heldBytes = rest.length;
    done(null, lines);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.held.length ? Buffer.concat(this.held) : undefined);
  }

  private tooLong(): Error {
    this.held = [];
    return new Error(`a message larger than ${this.max / 1024 / 1024} MiB arrived (the stdio line limit)`);
  }
}

/** Why the SDK transport closed, in words; undefined for the normal end (stdin reached EOF). */
function closeReason(lastError: Error | undefined): string | undefined {
  if (process.stdin.readableEnded) return undefined;
  const limit = /exceeded maximum size of (\d+) bytes/.exec(lastError?.message ?? '');
  if (limit) return `stdio transport closed: a message larger than ${Number(limit[1]) / 1024 / 1024} MiB arrived (the stdio line limit)`;
  return `stdio transport closed: ${lastError?.message ?? 'stdin or stdout was closed'}`;
}

/** A pass-through transport that counts each inbound request until its response has been written. */
class CountingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  private readonly open = new Map<RequestId, () => void>();
  private lastError: Error | undefined;

  constructor(private readonly inner: StdioServerTransport, private readonly inflight: Inflight, onClosed: (why: string | undefined) => void) {
    inner.onclose = () => {
      this.onclose?.();
      onClosed(closeReason(this.lastError));
    };
    inner.onerror = (e) => {
      this.lastError = e;
      this.onerror?.(e);
    };
    inner.onmessage = (m: JSONRPCMessage) => {
      if (isJSONRPCRequest(m)) this.open.set(m.id, this.inflight.enter());
      this.onmessage?.(m);
    };
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    try {
      await this.inner.send(message);
    } finally {
      if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
        this.open.get(message.id)?.();
        this.open.delete(message.id);
      }
    }
  }

  close(): Promise<void> {
    for (const done of this.open.values()) done();
    this.open.clear();
    return this.inner.close();
  }
}
