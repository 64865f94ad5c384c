import { homedir } from 'node:os';
import { join } from 'node:path';
import { VENDORS, type VendorId } from './domain.js';

/** The shortest CAMPAIGN_MCP_SECRET taken (characters). */
const MIN_SECRET_CHARS = 16;

/** What governs writes: where the journal and secret live, the policy caps, and whether to ask the person. */
export interface WriteConfig {
  dataDir: string;
  secret?: string;
  maxRecipients: number;
  writeVendors?: VendorId[];
  ask: 'always' | 'auto' | 'never';
  ttlMs: number;
  /** CAMPAIGN_MCP_REDIS_URL: share confirmations, journal, leases, rate budgets and listings with other instances. */
  redisUrl?: string;
}

/** Default cap on recipients of one send (CAMPAIGN_MCP_MAX_RECIPIENTS). */
export const DEFAULT_MAX_RECIPIENTS = 100_000;

/** The data directory: --data-dir, else CAMPAIGN_MCP_DATA_DIR, else $XDG_STATE_HOME/campaign-mcp, else ~/.local/state/campaign-mcp. */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.CAMPAIGN_MCP_DATA_DIR) return env.CAMPAIGN_MCP_DATA_DIR;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'campaign-mcp');
}

/** Parse the write settings; `fail` turns a bad value into the caller's configuration error. */
export function writeConfig(flags: { dataDir?: string }, env: NodeJS.ProcessEnv, fail: (message: string) => Error): WriteConfig {
  const max = env.CAMPAIGN_MCP_MAX_RECIPIENTS;
  const maxRecipients = max === undefined || max === '' ? DEFAULT_MAX_RECIPIENTS : Number(max);
  if (!Number.isInteger(maxRecipients) || maxRecipients < 1) throw fail('CAMPAIGN_MCP_MAX_RECIPIENTS must be a whole number ≥ 1');
  let writeVendors: VendorId[] | undefined;
  if (env.CAMPAIGN_MCP_WRITE_VENDORS !== undefined) {
    const list = env.CAMPAIGN_MCP_WRITE_VENDORS.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const bad = list.filter((v) => !(VENDORS as readonly string[]).includes(v));
    if (bad.length) throw fail(`CAMPAIGN_MCP_WRITE_VENDORS names unknown vendors (${bad.join(', ')}); use ${VENDORS.join(', ')}`);
    writeVendors = list as VendorId[];
  }
  const ask = (env.CAMPAIGN_MCP_CONFIRM || 'auto').toLowerCase();
  if (ask !== 'always' && ask !== 'auto' && ask !== 'never') throw fail('CAMPAIGN_MCP_CONFIRM must be always, auto or never');
  const ttl = env.CAMPAIGN_MCP_CONFIRM_TTL_SECONDS;
  const ttlMs = ttl ? Number(ttl) * 1000 : 10 * 60_000;
  if (!Number.isFinite(ttlMs) || ttlMs < 1000 || ttlMs > 86_400_000) throw fail('CAMPAIGN_MCP_CONFIRM_TTL_SECONDS must be 1-86400');
  const redisUrl = env.CAMPAIGN_MCP_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\/[^/\s]/.test(redisUrl)) throw fail('CAMPAIGN_MCP_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://:password@redis.internal:6379/0');
  const secret = env.CAMPAIGN_MCP_SECRET || undefined;
  // The HMAC key behind every confirm token and cursor: a short one can be guessed. Its length only, never its value.
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS) {
    throw fail(`CAMPAIGN_MCP_SECRET is ${secret.length} characters; use at least ${MIN_SECRET_CHARS} random ones (e.g. openssl rand -hex 32), or unset it to have one generated`);
  }
  return { dataDir: dataDirOf(flags.dataDir, env), secret, maxRecipients, writeVendors, ask, ttlMs, ...(redisUrl ? { redisUrl } : {}) };
}
