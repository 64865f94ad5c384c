import {
  isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse,
  type JSONRPCMessage, type McpServer, type RequestId, type Transport, type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as serveBothEras, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import type { Logger } from 'pino';
import type { Inflight } from '../inflight.js';

/**
 * Serve one client over stdin/stdout, in whichever era it opens with (2026-07-28 `server/discover` or a
 * 2025-era `initialize`); stdout carries protocol messages only. Requests count in `inflight` until answered.
 */
export function serveStdio(makeServer: () => McpServer, logger: Logger, inflight: Inflight): StdioServerHandle {
  return serveBothEras(() => makeServer(), {
    transport: new CountingTransport(new StdioServerTransport(), inflight),
    onerror: (err) => logger.debug({ err: err.message }, 'stdio message refused'),
  });
}

/** A pass-through transport that counts each inbound request until its response has been written. */
class CountingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  private readonly open = new Map<RequestId, () => void>();

  constructor(private readonly inner: StdioServerTransport, private readonly inflight: Inflight) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (e) => this.onerror?.(e);
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
