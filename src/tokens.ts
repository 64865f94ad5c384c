import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'cm1';

/** A stable serialization: object keys sorted, undefined dropped, so key order and whitespace never change a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 of the canonical form, base64url. */
export function argsHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/** What a confirmation token says, once its signature is checked. */
export interface TokenClaims {
  id: string;
  tool: string;
  hash: string;
  expires: number;
}

/** Signs and checks confirmation tokens: HMAC over the write id, tool, argument hash and expiry. */
export class TokenSigner {
  constructor(private readonly key: Buffer) {}

  sign(c: TokenClaims): string {
    const body = `${PREFIX}.${c.id}.${c.tool}.${c.expires.toString(36)}.${c.hash}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a token this key signed, or undefined for a forged, foreign or mangled one. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
    const body = parts.slice(0, 5).join('.');
    const given = Buffer.from(parts[5]!);
    const want = Buffer.from(this.mac(body));
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    const expires = parseInt(parts[3]!, 36);
    if (!Number.isFinite(expires)) return undefined;
    return { id: parts[1]!, tool: parts[2]!, expires, hash: parts[4]! };
  }

  /** A short MAC for other server-issued strings (cursors). */
  mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url').slice(0, 32);
  }
}

/**
 * The signing key: CAMPAIGN_MCP_SECRET when set, else one generated once and kept in the data
 * directory (mode 0600), so tokens survive a restart and hold on every instance sharing the secret.
 */
export function loadSecret(secret: string | undefined, dataDir: string | undefined): Buffer {
  if (secret) return createHash('sha256').update(secret).digest();
  if (!dataDir) return randomBytes(32);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'secret');
  try {
    const kept = readFileSync(path, 'utf8').trim();
    if (kept.length >= 32) return Buffer.from(kept, 'base64url');
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  const fresh = randomBytes(32);
  try {
    writeFileSync(path, fresh.toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as { code?: string }).code === 'EEXIST') return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    throw err;
  }
  chmodSync(path, 0o600);
  return fresh;
}
