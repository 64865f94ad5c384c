import type { Logger } from 'pino';
import { EmbeddedStore } from './store.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from './tool.js';
import { callTool, httpBanner, printTools } from './cli.js';
import { ConfigError, loadConfig, parseArgs, type AccountConfig, type Config } from './config.js';
import { HttpClient } from './http.js';
import { createLogger } from './log.js';
import { startSandbox, type Sandbox } from './sandbox/index.js';
import { createServer } from './server.js';
import { serveHttp } from './transports/http.js';
import { serveStdio } from './transports/stdio.js';
import { createAdapters } from './vendors/index.js';

/** Everything a running server holds: the context its tools use, and how to release it. */
export interface App {
  config: Config;
  ctx: ToolContext;
  sandbox?: Sandbox;
  close(): Promise<void>;
}

/** The one place that wires config, sandbox, HTTP client and adapters together. */
export async function buildApp(config: Config, logger: Logger, options: { now?: () => Date; http?: HttpClient } = {}): Promise<App> {
  let sandbox: Sandbox | undefined;
  let accounts: AccountConfig[] = config.accounts;
  if (config.sandbox) {
    if (accounts.length) logger.warn('--sandbox: configured vendor credentials are ignored; every vendor is simulated');
    sandbox = await startSandbox();
    accounts = sandbox.accounts;
  }
  const { deadlineMs, maxBodyBytes, listCacheMs } = config.limits;
  // A single attempt, or a wait for the vendor, never outlasts the call's deadline.
  const http = options.http ?? new HttpClient({ logger, maxBodyBytes, timeoutMs: Math.min(20_000, deadlineMs), maxRetryAfterMs: Math.min(30_000, deadlineMs / 2) });
  const adapters = createAdapters(accounts, http, options.now);
  const ctx: ToolContext = { adapters, sandbox: config.sandbox, store: new EmbeddedStore(), now: options.now ?? (() => new Date()), limits: { deadlineMs, listCacheMs } };
  return {
    config,
    ctx,
    sandbox,
    close: async () => {
      await http.close();
      await ctx.store.close();
      await sandbox?.close();
    },
  };
}

/** The bin: parse, wire, and serve (or run one terminal command). Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  let config: Config;
  try {
    parsed = parseArgs(argv);
    config = loadConfig(parsed.flags);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`campaign-mcp: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(parsed.command === 'serve' ? config.logLevel : 'warn');
  const app = await buildApp(config, logger);
  if (app.ctx.adapters.length === 0 && parsed.command === 'serve') {
    logger.warn('no vendor is configured: set a vendor\'s credentials (e.g. CLEVERTAP_ACCOUNT_ID and CLEVERTAP_PASSCODE) or start with --sandbox');
  }
  const make = () => createServer(app.ctx, allTools, { readOnly: config.readOnly, logger });
  if (parsed.command === 'tools') {
    await printTools(make(), process.stdout);
    await app.close();
    return 0;
  }
  if (parsed.command === 'call') {
    const code = await callTool(make(), parsed.toolName!, parsed.toolArgs!, process.stdout, process.stderr);
    await app.close();
    return code;
  }
  if (config.transport === 'http') {
    let served;
    try {
      served = await serveHttp(make, { host: config.host, port: config.port, token: config.httpToken, logger });
    } catch (err) {
      const inUse = (err as { code?: string }).code === 'EADDRINUSE';
      process.stderr.write(`campaign-mcp: ${inUse ? `port ${config.port} on ${config.host} is in use; pass --port <n> (0 picks a free one)` : (err as Error).message}\n`);
      await app.close();
      return 2;
    }
    process.stdout.write(`${httpBanner(served.url, config.sandbox, config.httpToken)}\n`);
    onShutdown(async () => {
      await served.close();
      await app.close();
    });
  } else {
    await serveStdio(make());
    logger.info({ vendors: app.ctx.adapters.map((a) => `${a.vendor}/${a.account}`), sandbox: config.sandbox }, 'campaign-mcp ready on stdio');
    process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
    onShutdown(app.close);
  }
  return -1;
}

function onShutdown(fn: () => Promise<void>) {
  const stop = () => void fn().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
