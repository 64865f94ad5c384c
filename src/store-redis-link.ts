import { createHash } from 'node:crypto';
import { createClient } from '@redis/client';
import type { Logger } from 'pino';
import { registerSecret } from './log.js';
import { StartError } from './store.js';
import { SCRIPTS, type ScriptName } from './store-redis-lua.js';

/** No command waits longer than this: a send must stop, not hang, when Redis goes away. */
const COMMAND_TIMEOUT_MS = 3_000;
const CONNECT_TIMEOUT_MS = 3_000;

/** What RedisLink uses of a node-redis client. */
interface Client {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): Client;
  connect(): Promise<unknown>;
  on(event: 'error', fn: (err: Error) => void): unknown;
  SUBSCRIBE(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<unknown>;
  destroy(): void;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** The URL with any password replaced, for messages and logs. */
export function maskRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unparsable URL';
  }
}

/** One `field:value` of an INFO reply, or undefined. */
const infoField = (info: string, field: string): string | undefined => info.match(new RegExp(`^${field}:(.*?)\\r?$`, 'm'))?.[1];

/**
 * What in Redis' own settings (its INFO persistence and memory sections) can lose what the server keeps there: no
 * append-only file (a Redis restart drops the journal and previews since the last snapshot, or all of them), or an
 * eviction policy that may drop a key under memory pressure. One sentence each, for a warning at start.
 */
export function durabilityWarnings(info: string): string[] {
  const out: string[] = [];
  if (infoField(info, 'aof_enabled') === '0') {
    out.push('Redis keeps no append-only file (appendonly no): if Redis restarts, the write journal and previews since its last snapshot are lost; run it with appendonly yes');
  }
  const policy = infoField(info, 'maxmemory_policy');
  const max = Number(infoField(info, 'maxmemory') ?? '0');
  if (policy && policy !== 'noeviction' && max > 0) {
    out.push(`Redis may evict keys when it reaches maxmemory (maxmemory-policy ${policy}): a preview, a batch record or the journal could be dropped; set maxmemory-policy noeviction`);
  }
  return out;
}

/**
 * One connection to Redis (node-redis): commands fail fast while it is down (no offline queue), each
 * has a timeout, it reconnects in the background, and scripts run by SHA with a reload after a restart.
 */
export class RedisLink {
  private readonly shas = new Map<ScriptName, string>();
  private subscriber: Promise<Client> | undefined;

  private constructor(private readonly client: Client) {
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) this.shas.set(name, createHash('sha1').update(SCRIPTS[name]).digest('hex'));
  }

  /** Connect, or throw StartError saying where and why (never the password). */
  static async connect(url: string, logger: Logger): Promise<RedisLink> {
    const masked = maskRedisUrl(url);
    let password: string | undefined;
    try {
      password = decodeURIComponent(new URL(url).password) || undefined;
    } catch {
      throw new StartError(`CAMPAIGN_MCP_REDIS_URL is not a URL (${masked})`);
    }
    registerSecret(password);
    let ready = false;
    let lastError = '';
    const client = createClient({
      url,
      // RESP2 replies: flat arrays, as every script and caller here reads them.
      RESP: 2,
      disableOfflineQueue: true,
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        // At start, two tries then give up (a clear error); once up, keep reconnecting in the background.
        reconnectStrategy: (retries: number, cause: Error) => (ready ? Math.min(50 * 2 ** retries, 2_000) : retries >= 2 ? cause : 200),
      },
    });
    client.on('error', (err: Error) => {
      const message = err.message.split(password ?? '\u0000').join('***');
      if (ready && message !== lastError) logger.warn({ redis: masked, err: message }, 'redis connection error');
      lastError = message;
    });
    client.on('ready', () => {
      if (ready && lastError) logger.info({ redis: masked }, 'redis connection restored');
      lastError = '';
    });
    try {
      await client.connect();
      await client.sendCommand(['PING']);
    } catch (err) {
      await client.destroy();
      const why = (err as Error).message.split(password ?? '\u0000').join('***');
      throw new StartError(`cannot reach Redis at ${masked} (CAMPAIGN_MCP_REDIS_URL): ${why || (err as Error).name}`);
    }
    ready = true;
    // Redis 6 takes one INFO section per call; a Redis that refuses INFO (renamed on some hosted plans) is not checked.
    const info = await Promise.all(['persistence', 'memory'].map((section) => client.sendCommand(['INFO', section]).then(String, () => ''))).then((parts) => parts.join('\n'));
    for (const warning of durabilityWarnings(info)) logger.warn({ redis: masked }, warning);
    return new RedisLink(client as unknown as Client);
  }

  /** One command, its reply as node-redis decodes it (strings, numbers, arrays, null). */
  cmd<T = unknown>(args: Array<string | number>): Promise<T> {
    return this.client.sendCommand(args.map(String)) as Promise<T>;
  }

  /** Run a script by SHA, loading it once more when the server forgot it (a restart, SCRIPT FLUSH). */
  async run<T = unknown>(name: ScriptName, keys: string[], args: Array<string | number>): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await this.cmd<T>(['EVALSHA', this.shas.get(name)!, ...tail]);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return this.cmd<T>(['EVAL', SCRIPTS[name], ...tail]);
    }
  }

  /** Several commands in one round trip (not atomic), replies in order; a failed one rejects the whole. */
  async pipeline(commands: Array<Array<string | number>>): Promise<unknown[]> {
    return Promise.all(commands.map((c) => this.cmd(c)));
  }

  /** Call `fn` on every message published to `channel`, over one extra connection opened on first use (it resubscribes after a reconnect). */
  async subscribe(channel: string, fn: () => void): Promise<void> {
    this.subscriber ??= (async () => {
      const sub = this.client.duplicate();
      sub.on('error', () => undefined); // the main connection reports errors; missed wake-ups fall back to polling
      await sub.connect();
      return sub;
    })();
    await (await this.subscriber).SUBSCRIBE(channel, fn);
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  async close(): Promise<void> {
    const sub = await this.subscriber?.catch(() => undefined);
    if (sub) await sub.close().catch(() => sub.destroy());
    if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
    else this.client.destroy();
  }
}
