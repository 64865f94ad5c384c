import type { McpServer } from '@modelcontextprotocol/server';
import { serveStdio as serveBothEras, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import type { Logger } from 'pino';

/**
 * Serve one client over stdin/stdout, in whichever era it opens with (2026-07-28 `server/discover` or a
 * 2025-era `initialize`); stdout carries protocol messages only.
 */
export function serveStdio(makeServer: () => McpServer, logger: Logger): StdioServerHandle {
  return serveBothEras(() => makeServer(), { onerror: (err) => logger.debug({ err: err.message }, 'stdio message refused') });
}
