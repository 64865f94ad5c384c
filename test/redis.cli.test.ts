import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeRedis, testRedisUrl } from './helpers/redis.js';
import { spawnBin } from './helpers/spawn.js';

describeRedis('CAMPAIGN_MCP_REDIS_URL from the terminal (spawned)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-redis-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (argv: string[], env: Record<string, string> = {}, dataDir = join(dir, 'a')) => {
    const p = spawnBin([...argv, '--data-dir', dataDir], env);
    // A server that started instead of exiting is stopped, not left running after the test.
    const timer = setTimeout(() => p.proc.kill('SIGKILL'), 25_000);
    const code = await p.exited.finally(() => clearTimeout(timer));
    return { code, out: p.stdout(), err: p.stderr() };
  };

  it('a cursor printed by one `call` pages in the next one: the listing is in Redis, the key is shared', async () => {
    const env = { CAMPAIGN_MCP_REDIS_URL: testRedisUrl(3)! };
    const first = await run(['call', 'list_campaigns', '{"limit":4,"vendor":"batch"}', '--sandbox'], env, join(dir, 'one'));
    expect(first.code).toBe(0);
    const cursor = first.out.match(/cursor="([^"]+)"/)![1]!;
    const second = await run(['call', 'list_campaigns', JSON.stringify({ limit: 4, vendor: 'batch', cursor }), '--sandbox'], env, join(dir, 'two'));
    expect(second.err).not.toMatch(/cannot be continued|not one this server issued/);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/cursor="/);
  });

  it('without Redis a cursor from an earlier `call` still verifies (the key is the data directory\'s), and its listing is gone', async () => {
    const first = await run(['call', 'list_campaigns', '{"limit":4,"vendor":"batch"}', '--sandbox']);
    const cursor = first.out.match(/cursor="([^"]+)"/)![1]!;
    const second = await run(['call', 'list_campaigns', JSON.stringify({ limit: 4, vendor: 'batch', cursor }), '--sandbox']);
    expect(second.code).toBe(1);
    expect(second.err).toContain('it points into a listing held in the memory of the `call` that printed it');
  });

  it('an unreachable Redis: exit 2 with where and why, never the password, nothing on stdout', async () => {
    const t0 = Date.now();
    const r = await run(['--http', '--port', '0'], { CAMPAIGN_MCP_REDIS_URL: 'redis://:s3cret-redis-pw@127.0.0.1:1/0' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot reach Redis at redis://:***@127.0.0.1:1/0');
    expect(r.err + r.out).not.toContain('s3cret-redis-pw');
    expect(r.out).toBe('');
    expect(Date.now() - t0).toBeLessThan(8_000);
  });

  it('an instance whose CAMPAIGN_MCP_SECRET differs from the others\' on the same Redis refuses to start', async () => {
    const url = testRedisUrl(4)!;
    expect((await run(['call', 'list_vendors', '{}'], { CAMPAIGN_MCP_REDIS_URL: url, CAMPAIGN_MCP_SECRET: 'one secret' })).code).toBe(0);
    const none = await run(['call', 'list_vendors', '{}'], { CAMPAIGN_MCP_REDIS_URL: url }, join(dir, 'd'));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/signs with another key than the instances already sharing this Redis \(CAMPAIGN_MCP_SECRET is set there, not here\)/);
  });
});
