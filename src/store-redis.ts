import type { Logger } from 'pino';
import type { JournalEvent, WriteRecord } from './journal.js';
import { silentLogger } from './log.js';
import { StoreError, type Store } from './store.js';
import { RedisLink } from './store-redis-link.js';
import { Heartbeat, RedisRateWindows, RedisSlots, unreachable } from './store-redis-rates.js';

export { maskRedisUrl } from './store-redis-link.js';

export interface RedisStoreOptions {
  /** Put before every key, so several deployments (or the sandbox) can share one Redis. Default `campaign-mcp:`. */
  prefix?: string;
  /** A send lease and a concurrency slot expire this long after their holder stops renewing them (it died). */
  leaseMs?: number;
  /** Settled write records (and journal entries) are kept this long after their last event. Default 30 days. */
  retentionMs?: number;
  maxSnapshots?: number;
  maxSnapshotBytes?: number;
  /** Whose clock spaces rate slots: the Redis server's (default) or the caller's `now` (tests with a virtual clock). */
  rateClock?: 'redis' | 'caller';
  logger?: Logger;
}

const DAY_MS = 86_400_000;

type Part = WriteRecord['parts'][number];
type Base = Omit<WriteRecord, 'parts' | 'confirmed_at'>;

/**
 * The store on Redis, for several instances behind one load balancer: write records as hashes (one field per
 * part) changed only by scripts that check and set at once, the journal as a stream, snapshots with expiry
 * and a size budget, leases renewed while held, and rate windows and concurrency caps shared by every instance.
 */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly rates: RedisRateWindows;
  readonly slots: RedisSlots;
  private readonly heartbeat: Heartbeat;
  /** Leases this instance holds (key → owner): its attempts are refused once another holds the lease. */
  private readonly leases = new Map<string, string>();
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private readonly maxSnapshots: number;
  private readonly maxSnapshotBytes: number;

  private constructor(private readonly link: RedisLink, options: RedisStoreOptions) {
    this.prefix = options.prefix ?? 'campaign-mcp:';
    this.leaseMs = options.leaseMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
    this.maxSnapshots = options.maxSnapshots ?? 50;
    this.maxSnapshotBytes = options.maxSnapshotBytes ?? 64 * 1024 * 1024;
    const logger = options.logger ?? silentLogger;
    this.heartbeat = new Heartbeat(Math.max(50, Math.floor(this.leaseMs / 4)), (err) => logger.debug({ err: String(err) }, 'redis renewal failed'));
    this.rates = new RedisRateWindows(link, `${this.prefix}rate:`, options.rateClock);
    this.slots = new RedisSlots(link, `${this.prefix}slots:`, this.heartbeat, this.leaseMs);
  }

  /** Connect to `url`; throws StartError (host and cause, never the password) when Redis cannot be reached. */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    return new RedisStore(await RedisLink.connect(url, options.logger ?? silentLogger), options);
  }

  private k(name: string): string {
    return this.prefix + name;
  }

  /** Run a script or command; any failure is a StoreError naming Redis, with Redis' own reason. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (/^(LEASE|TAKEN|GONE) /.test(message)) throw new StoreError(message.slice(message.indexOf(' ') + 1), { cause: err });
      throw unreachable(err);
    }
  }

  async putSnapshot(id: string, value: unknown, ttlMs: number): Promise<void> {
    const json = JSON.stringify(value ?? null);
    await this.call(() => this.link.run('snapshot', [this.k('snaps'), this.k('snapsz')], [
      this.k('snap:'), id, json, Math.max(1, Math.ceil(ttlMs)), Buffer.byteLength(json), this.maxSnapshots, this.maxSnapshotBytes,
    ]));
  }

  async getSnapshot(id: string): Promise<unknown> {
    const json = await this.call(() => this.link.cmd<string | null>(['GET', this.k(`snap:${id}`)]));
    return json === null ? undefined : JSON.parse(json);
  }

  async createWrite(record: Base & { parts: number }): Promise<WriteRecord> {
    const { parts, ...base } = record;
    const expireAt = Date.parse(record.expires_at) + DAY_MS;
    await this.call(() => this.link.run('create', [this.k(`w:${record.id}`), this.k(`h:${record.args_hash}`), this.k('journal')], [
      JSON.stringify(base), parts, Date.parse(record.created_at), expireAt, this.retentionMs, JSON.stringify({ t: 'preview', at: record.created_at, record }), record.id,
    ]));
    return { ...base, parts: Array.from({ length: parts }, () => ({ state: 'pending' as const })) };
  }

  async getWrite(id: string): Promise<WriteRecord | undefined> {
    const [flat, leased] = await this.call(() => this.link.pipeline([['HGETALL', this.k(`w:${id}`)], ['EXISTS', this.k(`lease:${id}`)]])) as [string[], number];
    if (!flat.length) return undefined;
    const fields = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    const base = JSON.parse(fields.get('rec')!) as Base;
    const n = Number(fields.get('n'));
    // As the embedded journal does on reopening: an attempt with no outcome, and nobody running the write, is unknown.
    const parts = Array.from({ length: n }, (_, i): Part => {
      const held = fields.get(String(i));
      if (!held) return { state: 'pending' };
      const p = JSON.parse(held) as Part;
      return p.state === 'attempted' && !Number(leased) ? { ...p, state: 'unknown', ...(p.each && { each: p.each.replace(/a/g, 'u') }) } : p;
    });
    const confirmed = fields.get('c');
    return { ...base, ...(confirmed ? { confirmed_at: confirmed } : {}), parts };
  }

  async findWrites(argsHash: string): Promise<WriteRecord[]> {
    const ids = await this.call(() => this.link.cmd<string[]>(['ZRANGE', this.k(`h:${argsHash}`), 0, -1, 'REV']));
    const recs = await Promise.all(ids.map((id) => this.getWrite(id)));
    const gone = ids.filter((_, i) => !recs[i]);
    if (gone.length) await this.call(() => this.link.cmd(['ZREM', this.k(`h:${argsHash}`), ...gone]));
    return recs.filter((r): r is WriteRecord => r !== undefined);
  }

  async consume(id: string, at: string): Promise<boolean> {
    const r = await this.call(() => this.link.run('consume', [this.k(`w:${id}`), this.k('journal')], [at, this.retentionMs, JSON.stringify({ t: 'confirm', at, id })]));
    return Number(r) === 1;
  }

  async recordAttempt(id: string, part: number, at: string, each?: string): Promise<void> {
    const event: JournalEvent = { t: 'attempt', at, id, part, ...(each && { each }) };
    await this.call(() => this.link.run('attempt', [this.k(`w:${id}`), this.k('journal'), this.k(`lease:${id}`)], [
      part, JSON.stringify({ state: 'attempted', at, each }), this.leases.get(id) ?? '', this.retentionMs, JSON.stringify(event),
    ]));
  }

  async recordOutcome(id: string, part: number, outcome: Extract<JournalEvent, { t: 'outcome' }>): Promise<void> {
    const { state, vendor_ref, message, at, not_acted, accepted, each } = outcome;
    await this.call(() => this.link.run('outcome', [this.k(`w:${id}`), this.k('journal')], [
      part, JSON.stringify({ state, vendor_ref, message, at, not_acted, accepted, each }), this.retentionMs, JSON.stringify(outcome),
    ]));
  }

  /** Hold `key` while this instance runs it: the lease lives `leaseMs` (at most `ttlMs`) and is renewed until released. */
  async acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.min(ttlMs, this.leaseMs));
    const take = () => this.link.run('lease', [this.k(`lease:${key}`)], [owner, ttl]);
    if (Number(await this.call(take)) !== 1) return false;
    this.leases.set(key, owner);
    this.heartbeat.hold(`lease:${key}`, take);
    return true;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    this.heartbeat.drop(`lease:${key}`);
    if (this.leases.get(key) === owner) this.leases.delete(key);
    await this.call(() => this.link.run('unlease', [this.k(`lease:${key}`)], [owner]));
  }

  /** Set `name` to `value` unless it is set; the value it holds afterwards (shared secrets: the first instance's wins). */
  async claim(name: string, value: string): Promise<string> {
    return this.call(async () => {
      await this.link.cmd(['SET', this.k(name), value, 'NX']);
      return (await this.link.cmd<string>(['GET', this.k(name)])) ?? value;
    });
  }

  /** The journal's events, oldest first (from any instance), for audits and tests. */
  async journal(count = 1000): Promise<JournalEvent[]> {
    const rows = await this.call(() => this.link.cmd<Array<[string, string[]]>>(['XRANGE', this.k('journal'), '-', '+', 'COUNT', count]));
    return rows.map(([, fields]) => JSON.parse(fields[1]!) as JournalEvent);
  }

  async close(): Promise<void> {
    await Promise.all([...this.leases].map(([key, owner]) => this.releaseLease(key, owner).catch(() => undefined)));
    this.heartbeat.stop();
    await this.link.close();
  }
}
