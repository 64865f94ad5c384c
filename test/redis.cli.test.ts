import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runMain, tempDirs } from './helpers/main-io.js';
import { describeRedis, testRedisUrl } from './helpers/redis.js';

// Each run is the bin's main() in this process: it opens its own store (embedded, or a Redis connection) and
// closes it before returning, so two runs share only what a second process would: the data directory or Redis.
describeRedis('CAMPAIGN_MCP_REDIS_URL from the terminal (in-process runs of main)', () => {
  const dirs = tempDirs('campaign-mcp-redis-cli-');
  afterAll(() => dirs.remove());
  const run = (argv: string[], env: Record<string, string>, dataDir: string) => runMain([...argv, '--data-dir', dataDir], env);
  const list = (extra: object = {}) => ['call', 'list_campaigns', JSON.stringify({ limit: 4, vendor: 'batch', ...extra }), '--sandbox'];

  it('a cursor printed by one `call` pages in the next one: the listing is in Redis, the key is shared', async () => {
    const env = { CAMPAIGN_MCP_REDIS_URL: testRedisUrl(3)! };
    const first = await run(list(), env, dirs.make());
    expect(first.code).toBe(0);
    const cursor = first.out.match(/cursor="([^"]+)"/)![1]!;
    const second = await run(list({ cursor }), env, dirs.make());
    expect(second.err).not.toMatch(/cannot be continued|not one this server issued/);
    expect(second.code).toBe(0);
    const ids = (out: string) => [...out.matchAll(/^batch (\S+) "/gm)].map((m) => m[1]);
    expect(ids(second.out)).toHaveLength(4);
    expect(ids(second.out).filter((id) => ids(first.out).includes(id))).toEqual([]); // the next page, not the first again
    expect(second.out).toMatch(/cursor="/);
  });

  it('an unreachable Redis: exit 2 with where and why, never the password, nothing on stdout', async () => {
    const t0 = Date.now();
    const r = await run(['call', 'list_vendors', '{}'], { CAMPAIGN_MCP_REDIS_URL: 'redis://:s3cret-redis-pw@127.0.0.1:1/0' }, dirs.make());
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot reach Redis at redis://:***@127.0.0.1:1/0');
    expect(r.err + r.out).not.toContain('s3cret-redis-pw');
    expect(r.out).toBe('');
    expect(Date.now() - t0).toBeLessThan(8_000);
  });

  it('an instance whose CAMPAIGN_MCP_SECRET differs from the others\' on the same Redis refuses to start', async () => {
    const url = testRedisUrl(4)!;
    const secret = 'redis-cli-test-secret-4';
    const one = await run(['call', 'list_vendors', '{}'], { CAMPAIGN_MCP_REDIS_URL: url, CAMPAIGN_MCP_SECRET: secret }, dirs.make());
    expect(one.code).toBe(0);
    const none = await run(['call', 'list_vendors', '{}'], { CAMPAIGN_MCP_REDIS_URL: url }, join(dirs.make(), 'd'));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/signs with another key than the instances already sharing this Redis \(CAMPAIGN_MCP_SECRET is set there, not here\)/);
    expect(none.out).toBe('');
    for (const r of [one, none]) expect(r.out + r.err).not.toContain(secret);
  });
});
