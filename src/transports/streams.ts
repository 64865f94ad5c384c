import type { IncomingMessage, ServerResponse } from 'node:http';

/** Streams open at once, per server: a client opening thousands and never closing them cannot grow memory without bound. */
export const MAX_STREAMS = 100;
/** A stream is ended after this long; an SSE client reconnects, a forgotten one stops holding a slot. */
export const STREAM_LIFETIME_MS = 10 * 60_000;

/** True for a request whose answer is a stream that stays open: a GET, or a 2026-era `subscriptions/listen` (the SDK requires its Mcp-Method header). */
export function wantsStream(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.headers['mcp-method'] === 'subscriptions/listen';
}

/**
 * Accounts for the long-lived SSE streams of one server: at most `max` open at once (the next is refused, not
 * queued), each ended after `lifetimeMs`, and all ended at once on shutdown.
 */
export class StreamSlots {
  private open = 0;
  private readonly ending = new Set<AbortController>();

  constructor(readonly max = MAX_STREAMS, readonly lifetimeMs = STREAM_LIFETIME_MS) {}

  /** Streams currently open. */
  get size(): number {
    return this.open;
  }

  /**
   * A slot for the stream answering `res`, or undefined when every slot is taken. The returned signal aborts when
   * the stream must end (its lifetime is over, or the server stops); the slot is given back when `res` closes.
   */
  take(res: ServerResponse): AbortSignal | undefined {
    if (this.open >= this.max) return undefined;
    this.open++;
    const end = new AbortController();
    this.ending.add(end);
    const timer = setTimeout(() => end.abort(), this.lifetimeMs);
    timer.unref();
    res.once('close', () => {
      this.open--;
      clearTimeout(timer);
      this.ending.delete(end);
    });
    return end.signal;
  }

  /** End every open stream now (shutdown). */
  endAll(): void {
    for (const end of this.ending) end.abort();
  }
}
