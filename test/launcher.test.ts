import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBin } from './helpers/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-compile-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const caches = (d: string) => readdirSync(d).filter((f) => f.endsWith('.v8'));

/** Start the bin with this cache setting, list its tools, and keep it running for `stayMs`. */
async function listTools(cache: string, stayMs = 0, env: Record<string, string> = {}): Promise<string[]> {
  const s = spawnBin([], { CAMPAIGN_MCP_COMPILE_CACHE: cache, ...env });
  try {
    s.proc.stdin.write(`${JSON.stringify(INIT)}\n`);
    await s.waitFor(/"id":1\b/);
    s.proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify(LIST)}\n`);
    await s.waitFor(/"id":2\b/);
    const line = s.stdout().split('\n').find((l) => l.includes('"id":2'))!;
    await new Promise((r) => setTimeout(r, stayMs));
    return (JSON.parse(line).result.tools as Array<{ name: string }>).map((t) => t.name);
  } finally {
    await s.kill();
  }
}

async function until(fn: () => boolean, ms = 8_000) {
  for (const t0 = Date.now(); !fn();) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the launcher keeps V8 code cache between starts (dist/campaign-mcp.js)', () => {
  it('writes the cache once a server has run, starts the same from it, and replaces a cache V8 refuses', async () => {
    const first = await listTools(dir, 2_300);
    await until(() => caches(dir).length === 1);
    const [name] = caches(dir);
    expect(name).toMatch(new RegExp(`^server-[0-9a-f]{16}-${process.version}-${process.arch}\\.v8$`));
    expect(statSync(join(dir, name!)).size).toBeGreaterThan(100_000);
    expect(statSync(join(dir, name!)).mode & 0o777).toBe(0o600);
    expect(await listTools(dir)).toEqual(first);

    // A cache from elsewhere (garbage to V8) is refused: the server still starts, and writes a good one.
    writeFileSync(join(dir, name!), Buffer.alloc(4096, 7));
    expect(await listTools(dir, 2_300)).toEqual(first);
    await until(() => statSync(join(dir, name!)).size > 100_000);
    expect(readFileSync(join(dir, name!)).subarray(0, 64).equals(Buffer.alloc(64, 7))).toBe(false);
  }, 30_000);

  it('keeps it under ~/.cache/campaign-mcp by default, and nowhere with CAMPAIGN_MCP_COMPILE_CACHE=0 or after a short run', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const off = mkdtempSync(join(dir, 'off-'));
    const short = mkdtempSync(join(dir, 'short-'));
    const version = spawnBin(['--version'], { CAMPAIGN_MCP_COMPILE_CACHE: short });
    const [a, b] = await Promise.all([listTools('', 2_300, { HOME: home }), listTools('0', 2_300, { HOME: off })]);
    expect(b).toEqual(a);
    expect(await version.exited).toBe(0);
    await until(() => { try { return caches(join(home, '.cache', 'campaign-mcp')).length === 1; } catch { return false; } });
    expect(readdirSync(off)).not.toContain('.cache'); // (the data directory, ~/.local/state, is there)
    expect(caches(short)).toEqual([]);
  }, 20_000);
});
