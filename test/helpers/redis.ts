import { describe, it } from 'vitest';
import { REDIS_URL_ENV } from './redis-server.js';

export { REDIS_URL_ENV, startRedis, type TestRedis } from './redis-server.js';

/** The test Redis with `db` selected, or undefined when none runs here. */
export function testRedisUrl(db = 0): string | undefined {
  const base = process.env[REDIS_URL_ENV];
  return base ? `${base}/${db}` : undefined;
}

/**
 * Tests that need a real Redis: they run when global-setup started one; without redis-server they are
 * skipped loudly on a developer's machine and fail under CI (CI=true), never pass silently.
 */
export function describeRedis(name: string, fn: () => void): void {
  if (process.env[REDIS_URL_ENV]) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => it('needs redis-server (install it: apt-get install -y redis-server)', () => {
      throw new Error('redis-server is not installed, and CI=true: the Redis tests must run in CI');
    }));
    return;
  }
  console.warn(`\n!!! SKIPPED "${name}": redis-server is not installed (apt-get install -y redis-server) !!!\n`);
  describe.skip(name, fn);
}
