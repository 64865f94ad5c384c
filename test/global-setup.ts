import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer, REDIS_URL_ENV, startRedis } from './helpers/redis-server.js';

/**
 * End-to-end tests spawn the bundled bin: build it once, fresh, before any test runs. Every server a test
 * starts keeps its journal and secret in one temporary data directory, removed afterwards, never in $HOME.
 * Where redis-server is installed, one runs on a free loopback port for the Redis tests (its URL in
 * CAMPAIGN_MCP_TEST_REDIS_URL); test/helpers/redis.ts decides what its absence means.
 */
export default async function setup(): Promise<() => Promise<void>> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-test-'));
  process.env.CAMPAIGN_MCP_DATA_DIR = dir;
  // Spawned servers share one compile cache, kept with the rest, so no test writes under $HOME.
  process.env.CAMPAIGN_MCP_COMPILE_CACHE = join(dir, 'compile-cache');
  const redis = hasRedisServer() ? await startRedis() : undefined;
  if (redis) process.env[REDIS_URL_ENV] = redis.url;
  else process.stderr.write(`\n!!! redis-server is not installed: the Redis tests ${process.env.CI === 'true' ? 'will FAIL (CI=true)' : 'are skipped'} !!!\n\n`);
  return async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
