import {
  INVALID_REQUEST, PARSE_ERROR, isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, parseJSONRPCMessage,
  type JSONRPCMessage, type McpServer, type RequestId, type Transport, type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as serveBothEras, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Inflight } from '../inflight.js';

/**
 * Serve one client over stdin/stdout, in whichever era it opens with (2026-07-28 `server/discover` or a
 * 2025-era `initialize`); stdout carries protocol messages only. Requests count in `inflight` until answered.
 * `onClosed` hears when the transport closes: after EOF, once the requests read are answered (`undefined`), or why
 * it gave up (a message over the SDK's 10 MiB line limit, a broken stdout): a process that stays up then is deaf,
 * so the caller exits.
 * A line that is no JSON-RPC message is answered with a JSON-RPC error (the SDK would drop it, and a client
 * would wait forever for the answer to a request it got wrong).
 */
export function serveStdio(
  makeServer: () => McpServer, logger: Logger, inflight: Inflight, onClosed: (why: string | undefined) => void,
  options: { stdin?: Readable; stdout?: Writable; eofWaitMs?: number } = {},
): StdioServerHandle {
  const io = { stdin: options.stdin ?? process.stdin, stdout: options.stdout ?? process.stdout };
  const refuse = (r: Refusal) => {
    logger.warn({ code: r.code, id: r.id, err: r.message }, 'stdio line refused');
    // Straight to the wire, not through the counting transport: a refused line reusing an open request's id must not
    // count that request as answered. No id read, none sent (MCP's error response has an optional id, never null).
    const error = { jsonrpc: '2.0', ...(r.id !== undefined && { id: r.id }), error: { code: r.code, message: r.message } } as JSONRPCMessage;
    void wire.send(error).catch(() => undefined);
  };
  // EOF is the end of the requests, not of their answers (`printf '...' | campaign-mcp` sends all and closes at once):
  // the transport closes only once every request read has been answered, or after `eofWaitMs` (each call ends by its
  // own deadline anyway). A client in a hurry follows EOF with SIGTERM, as MCP's shutdown says: that stops at once.
  const answered = async () => {
    // The lines handed over are read (and counted) before anything is known to be in flight.
    while (guard.readableLength > 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    if (inflight.size === 0) return;
    logger.info({ calls: inflight.size }, 'stdin closed: answering the calls still running before exiting (SIGTERM stops them now)');
    if (!(await inflight.drain(options.eofWaitMs ?? DEFAULT_EOF_WAIT_MS))) logger.warn('stdin closed: calls still running after the wait are stopped');
  };
  const guard = new LineGuard(MAX_LINE_BYTES, refuse, answered);
  const stdin = io.stdin.pipe(guard);
  // While stdout is full the SDK waits for 'drain' once per answer queued: past 10 of them Node would print a
  // MaxListenersExceededWarning (plain text, amid the JSON log) for what is only backpressure.
  io.stdout.setMaxListeners(0);
  // The guard hands over whole lines, each within the limit, but several at once: the SDK's buffer limit (on what it
  // is handed, not on one line) is set above what one hand-over can hold, so the limit stays the guard's, per line.
  const wire = new StdioServerTransport(stdin, io.stdout, { maxBufferSize: 2 * MAX_LINE_BYTES });
  const transport = new CountingTransport(wire, inflight, onClosed, io.stdin);
  return serveBothEras(() => makeServer(), {
    transport,
    onerror: (err) => logger.debug({ err: err.message }, 'stdio message refused'),
  });
}

/** The SDK's own limit on one stdin line (its ReadBuffer's); LineGuard applies it without buffering the line. */
const MAX_LINE_BYTES = 10 * 1024 * 1024;
/** How long calls read before EOF may take to answer, by default: the default call deadline and a margin. */
const DEFAULT_EOF_WAIT_MS = 50_000;

/**
 * Passes stdin on in whole lines and fails the stream as soon as one grows past `max` bytes. The SDK would find
 * out too, but only after copying and rescanning its whole buffer for every 64 KiB of a partial line: seconds of
 * CPU for one 10 MB line. Whole lines reach it in one piece, so its buffer work stays linear.
 */
class LineGuard extends Transform {
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly max: number, private readonly onRefused: (r: Refusal) => void, private readonly beforeEnd: () => Promise<void>) {
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
    done(null, this.screen(lines));
  }

  /** The lines the SDK can read; each other one is refused (answered) or, blank, skipped, as the SDK would. */
  private screen(lines: Buffer): Buffer | undefined {
    const kept: Buffer[] = [];
    let changed = false;
    for (let start = 0; start < lines.length;) {
      const end = lines.indexOf(10, start) + 1;
      const line = lines.subarray(start, end);
      start = end;
      const seen = screenLine(line);
      if (seen === line) kept.push(line);
      else {
        changed = true;
        if (Buffer.isBuffer(seen)) kept.push(seen);
        else if (seen) this.onRefused(seen);
      }
    }
    return !changed ? lines : kept.length ? Buffer.concat(kept) : undefined;
  }

  /** At EOF: a last line without its newline is still a line; the stream ends once `beforeEnd` says so. */
  override _flush(done: TransformCallback): void {
    if (this.held.length) {
      const last = this.screen(Buffer.concat([...this.held, NEWLINE]));
      this.held = [];
      if (last) this.push(last);
    }
    void this.beforeEnd().then(() => done(), () => done());
  }

  private tooLong(): Error {
    this.held = [];
    return new Error(`a message larger than ${this.max / 1024 / 1024} MiB arrived (the stdio line limit)`);
  }
}

/** A line that is no JSON-RPC message: the error it is answered with. */
interface Refusal {
  id?: RequestId;
  code: number;
  message: string;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NEWLINE = Buffer.from('\n');

/**
 * One whole line (its newline included) as the SDK will read it: the line itself, the line without a leading BOM,
 * undefined for a blank line (skipped, as the SDK does), or the refusal of a line that is no JSON-RPC message.
 */
function screenLine(line: Buffer): Buffer | Refusal | undefined {
  if (line.subarray(0, 3).equals(BOM)) return screenLine(line.subarray(3));
  const text = line.toString('utf8');
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: PARSE_ERROR, message: 'Parse error: a line on stdin is not JSON (each message is one line of JSON-RPC 2.0)' };
  }
  try {
    parseJSONRPCMessage(value);
    return line;
  } catch {
    const m = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    // A malformed answer to one of our requests is not answered: an error about an error could go back and forth.
    if (m && !('method' in m) && ('result' in m || 'error' in m)) return undefined;
    // A request id is a string or an integer (MCP); any other is not echoed back.
    const id = typeof m?.id === 'string' || Number.isSafeInteger(m?.id) ? (m!.id as RequestId) : undefined;
    const why = !m ? (Array.isArray(value) ? 'a batch (a JSON array) is not taken: send one message a line' : 'a message is a JSON object')
      : m.jsonrpc !== '2.0' ? '"jsonrpc" must be "2.0"'
        : typeof m.method !== 'string' ? 'a request needs a string "method"'
          : m.params !== undefined && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params)) ? '"params" must be an object'
            : 'it is no JSON-RPC 2.0 request or notification';
    return { ...(id !== undefined && { id }), code: INVALID_REQUEST, message: `Invalid Request: ${why}` };
  }
}

/** Why the SDK transport closed, in words; undefined for the normal end (stdin reached EOF). */
function closeReason(lastError: Error | undefined, stdin: Readable): string | undefined {
  if (stdin.readableEnded) return undefined;
  const limit = /exceeded maximum size of (\d+) bytes/.exec(lastError?.message ?? '');
  if (limit) return `stdio transport closed: a message larger than ${Number(limit[1]) / 1024 / 1024} MiB arrived (the stdio line limit)`;
  return `stdio transport closed: ${lastError?.message ?? 'stdin or stdout was closed'}`;
}

/** A pass-through transport that counts each inbound request until its response has been written. */
class CountingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  /** Each open request's release, by id; a client reusing an id while it is open has both counted until both are answered. */
  private readonly open = new Map<RequestId, Array<() => void>>();
  private lastError: Error | undefined;

  constructor(private readonly inner: StdioServerTransport, private readonly inflight: Inflight, onClosed: (why: string | undefined) => void, stdin: Readable) {
    inner.onclose = () => {
      // The calls still open keep counting: a write whose batch is already with the vendor gets the shutdown's grace
      // to finish (each aborted call counts itself out as it settles).
      this.onclose?.();
      onClosed(closeReason(this.lastError, stdin));
    };
    inner.onerror = (e) => {
      this.lastError = e;
      this.onerror?.(e);
    };
    inner.onmessage = (m: JSONRPCMessage) => {
      if (isJSONRPCRequest(m)) {
        const open = this.open.get(m.id);
        if (open) open.push(this.inflight.enter());
        else this.open.set(m.id, [this.inflight.enter()]);
      }
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
        const open = this.open.get(message.id);
        open?.shift()?.();
        if (open?.length === 0) this.open.delete(message.id);
      }
    }
  }

  close(): Promise<void> {
    this.release();
    return this.inner.close();
  }

  private release(): void {
    for (const open of this.open.values()) for (const done of open) done();
    this.open.clear();
  }
}
