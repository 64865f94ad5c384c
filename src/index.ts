import type { Logger } from 'pino';
import { WriteGate } from './confirm.js';
import { CursorCodec } from './cursor.js';
import { EmbeddedStore, StartError, type Store } from './store.js';
import { loadSecret, loadSharedSecret, TokenSigner } from './tokens.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from './tool.js';
import { httpBanner, printTools } from './cli.js';
import { callTool } from './cli-call.js';
import { stdioLaunch } from './client-launch.js';
import { ConfigError, loadConfig, parseArgs, type AccountConfig, type Config } from './config.js';
import { HttpClient } from './http.js';
import { Inflight } from './inflight.js';
import { createLogger } from './log.js';
import type { Sandbox } from './sandbox/index.js';
import { createServer, VERSION } from './server.js';
import type { ToolListCache } from './app.js';
import { usage } from './usage.js';
import { serveStdio } from './transports/stdio.js';
import { ANSWER_GRACE_MS, Shutdown } from './shutdown.js';
import { createAdapters } from './vendors/index.js';

/** Everything a running server holds: the context its tools use, and how to release it. */
export interface App {
  config: Config;
  ctx: ToolContext;
  sandbox?: Sandbox;
  /** Release everything; `abandon` drops vendor requests still open instead of waiting for them (shutdown). */
  close(abandon?: boolean): Promise<void>;
}

/** The one place that wires config, sandbox, HTTP client and adapters together. */
export async function buildApp(config: Config, logger: Logger, options: { now?: () => Date; http?: HttpClient } = {}): Promise<App> {
  // The store first: with CAMPAIGN_MCP_REDIS_URL unreachable nothing else is started (never a silent fall-back).
  // The data directory as given, sandbox or not: a sandbox write's token is bound to the sandbox (the gate's
  // `sandbox` setting), so it never confirms, repeats or resends a real account's write; on Redis its keys live apart.
  const { store, key } = await openStore(config, config.writes.dataDir, logger);
  let sandbox: Sandbox | undefined;
  let accounts: AccountConfig[] = config.accounts;
  if (config.sandbox) {
    if (accounts.length) logger.warn('--sandbox: configured vendor credentials are ignored; every vendor is simulated');
    // Loaded on demand, like the HTTP transport: a plain stdio start should not pay for node:http and the simulators.
    const { startSandbox } = await import('./sandbox/index.js');
    // Seeded from the start of the current hour (startSandbox's default): processes started within one (a server and
    // a `call`, several instances, two clients' servers) hold the same sandbox campaigns, to the minute of every
    // timestamp. (It was the minute, so a `call` a few seconds after a server's start listed other times.)
    sandbox = await startSandbox();
    // The simulated accounts keep the zones a person set (CLEVERTAP_TIMEZONE=Asia/Kolkata ...): schedules and
    // local times on the sandbox are then read as they would be on their real accounts.
    accounts = sandbox.accounts.map((a) => (config.zones?.[a.vendor] ? { ...a, timezone: config.zones[a.vendor] } : a));
  }
  const { deadlineMs, maxBodyBytes, listCacheMs } = config.limits;
  // A single attempt, or a wait for the vendor, never outlasts the call's deadline.
  const http = options.http ?? new HttpClient({
    logger, maxBodyBytes, timeoutMs: Math.min(20_000, deadlineMs), maxRetryAfterMs: Math.min(30_000, deadlineMs / 2), rates: store.rates, slots: store.slots,
  });
  const adapters = createAdapters(accounts, http, options.now);
  const now = options.now ?? (() => new Date());
  const signer = new TokenSigner(key);
  const gate = config.readOnly ? undefined : new WriteGate(store, signer, { ...config.writes, sandbox: config.sandbox, concurrency: 4, callBudgetMs: Math.max(5_000, deadlineMs - 5_000) }, now);
  // Cursors are signed with the same persistent key as tokens: they verify on any instance and in a later `call`.
  const cursors = new CursorCodec(key);
  const ctx: ToolContext = { adapters, sandbox: config.sandbox, store, ...(gate ? { gate } : {}), ...(sandbox && { sendThrough: sandbox.sendThrough }), now, clock: http.clock, cursors, limits: { deadlineMs, listCacheMs },
    ...(config.writes.writeVendors ? { writeVendors: config.writes.writeVendors } : {}) };
  return {
    config,
    ctx,
    sandbox,
    close: async (abandon = false) => {
      await http.close(abandon);
      await ctx.store.close();
      await sandbox?.close();
    },
  };
}

/**
 * The embedded store and the key kept in the data directory, or, with CAMPAIGN_MCP_REDIS_URL, the Redis store
 * (loaded only then) and the key every instance sharing it signs with.
 */
async function openStore(config: Config, dataDir: string, logger: Logger): Promise<{ store: Store; key: Buffer }> {
  const url = config.writes.redisUrl;
  if (!url) return { store: new EmbeddedStore({ dataDir }), key: loadSecret(config.writes.secret, dataDir) };
  const { RedisStore, maskRedisUrl } = await import('./store-redis.js');
  const store = await RedisStore.connect(url, { logger, prefix: config.sandbox ? 'campaign-mcp:sandbox:' : 'campaign-mcp:' });
  try {
    const key = await loadSharedSecret(config.writes.secret, store);
    logger.info({ redis: maskRedisUrl(url) }, 'store: redis, shared with every instance using it');
    return { store, key };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Where main writes and what environment it reads: the process's own, or a test's (terminal commands run in-process). */
export interface MainIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * The bin: parse, wire, and serve (or run one terminal command). Returns the exit code (-1: serving).
 * help, version, tools and call write only to `io` and release everything they opened before returning;
 * serving (stdio, HTTP) speaks on the process's own streams.
 */
export async function main(argv: readonly string[], io: MainIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let parsed;
  let config: Config;
  try {
    parsed = parseArgs(argv);
    if (parsed.command === 'help' || parsed.command === 'version') {
      io.stdout.write(parsed.command === 'help' ? usage(VERSION) : `${VERSION}\n`);
      return 0;
    }
    config = loadConfig(parsed.flags, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`campaign-mcp: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // A terminal command logs its warnings where it prints its errors (more with --log-level or LOG_LEVEL given); a server
  // logs to fd 2 (stdout is the protocol's).
  const chosen = parsed.flags.logLevel !== undefined || !!io.env.LOG_LEVEL?.trim();
  const logger = parsed.command === 'serve' ? createLogger(config.logLevel) : createLogger(chosen ? config.logLevel : 'warn', io.stderr);
  let app: App;
  try {
    app = await buildApp(config, logger);
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    io.stderr.write(`campaign-mcp: ${err.message}\n`);
    return 2;
  }
  if (app.ctx.adapters.length === 0 && parsed.command === 'serve') {
    logger.warn('no vendor is configured: set a vendor\'s credentials (e.g. CLEVERTAP_ACCOUNT_ID and CLEVERTAP_PASSCODE) or start with --sandbox');
  }
  const shutdown = new Shutdown(logger);
  // Every server this process builds is the same one (over HTTP, one per request): they share one tools/list answer.
  const toolList: ToolListCache = {};
  const make = () => createServer(app.ctx, allTools, { readOnly: config.readOnly, logger, signal: shutdown.signal, toolList });
  if (parsed.command === 'tools' || parsed.command === 'call') {
    try {
      if (parsed.command === 'tools') {
        await printTools(make(), io.stdout);
        return 0;
      }
      return await callTool(make(), parsed.toolName!, parsed.toolArgs!, io.stdout, io.stderr, { all: parsed.flags.all });
    } finally {
      await app.close();
    }
  }
  if (config.transport === 'http') {
    let served;
    try {
      const { serveHttp } = await import('./transports/http.js');
      served = await serveHttp(make, { host: config.host, port: config.port, token: config.httpToken, logger });
    } catch (err) {
      const inUse = (err as { code?: string }).code === 'EADDRINUSE';
      // Under `npm start` a bare --port is npm's own option: the server's goes after `--`.
      const pass = io.env.npm_lifecycle_event === 'start' ? 'run npm start -- --port <n>' : 'pass --port <n>';
      process.stderr.write(`campaign-mcp: ${inUse ? `port ${config.port} on ${config.host} is in use; ${pass} (0 picks a free one)` : (err as Error).message}\n`);
      await app.close();
      return 2;
    }
    shutdown.use({
      refuse: () => served.refuse(),
      drain: (ms) => served.drain(ms),
      close: async () => {
        await served.close(0);
        await app.close(true);
      },
    });
    // The signal handlers before the banner: it says `kill <pid>` stops the server, and a person (or a script) may do
    // so the moment it is printed; without a handler yet, SIGTERM would kill the process outright (no drain, no exit 0).
    shutdown.onSignals();
    const banner = httpBanner(served.url, { sandbox: config.sandbox, token: config.httpToken, launch: stdioLaunch(parsed.flags, io.env), everyInterface: served.everyInterface });
    process.stdout.write(`${banner}\n`);
  } else {
    const inflight = new Inflight();
    // EOF is the client's normal goodbye (exit 0); any other close leaves the process deaf, so it exits 1 and says why.
    const stdio = serveStdio(make, logger, inflight, (why) => void shutdown.stop(why ?? 'stdin closed', why ? 1 : 0), {
      eofWaitMs: config.limits.deadlineMs + ANSWER_GRACE_MS,
    });
    shutdown.use({
      drain: (ms) => inflight.drain(ms),
      close: async () => {
        await stdio.close();
        await app.close(true);
      },
    });
    // As over HTTP: handled before anything says the server is ready.
    shutdown.onSignals();
    logger.info({ vendors: app.ctx.adapters.map((a) => `${a.vendor}/${a.account}`), sandbox: config.sandbox }, 'campaign-mcp ready on stdio');
  }
  return -1;
}
