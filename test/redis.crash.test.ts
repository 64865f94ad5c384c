import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis, startRedis, testRedisUrl, type TestRedis } from './helpers/redis.js';
import { reachedByIndex, startCluster, until, type Cluster, type ToolAnswer } from './helpers/redis-instances.js';

const BATCH = 1000;
const PASSWORD = 'redis-pw-9f2c1e';
const sendArgs = (file: string) => ({ vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity' }, recipients_file: file, content: { title: 'Hi', body: 'Flash sale' } });

/** Batch index → state, from a result that lists every batch not succeeded (the rest succeeded). */
function states(r: ToolAnswer, batches: number): string[] {
  const out = new Array<string>(batches).fill('succeeded');
  for (const b of r.structuredContent!.batches as Array<{ index: number; state: string }>) out[b.index] = b.state;
  return out;
}

describeRedis('a send survives its instance or its Redis dying (spawned, counted at the simulator)', () => {
  let c: Cluster;
  let own: TestRedis;
  let lone: Cluster;
  beforeAll(async () => {
    // This one Redis is stopped mid-send; it asks for a password, which must never reach a log line.
    [c, own] = await Promise.all([startCluster(2, testRedisUrl(2)!), startRedis(['--requirepass', PASSWORD])]);
    lone = await startCluster(1, `redis://:${PASSWORD}@127.0.0.1:${own.port}/0`);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([c?.close(), lone?.close()]);
    await own?.stop();
  });

  it('30,000 recipients: A killed mid-send, resumed with the same token on B: nobody twice, everyone not reached is in an unknown batch', async () => {
    const [a, b] = c.instances as [any, any];
    const n = 30_000;
    const batches = n / BATCH;
    c.sim.writes.knobs.sendPerSecond = 20;
    const args = sendArgs(c.recipientsFile(n));
    const confirm = (await a.call('send_to_users', args)).structuredContent!.confirm as string;
    const onA = a.call('send_to_users', { ...args, confirm }).catch((err: Error) => err);
    await until(() => c.sim.writes.counts.sends >= 8, 20_000, '8 batches sent by A');
    a.bin.proc.kill('SIGKILL');
    await onA;
    const sentByA = c.sim.writes.counts.sends;
    expect(sentByA).toBeLessThan(batches / 2);
    const r = await b.call('send_to_users', { ...args, confirm });
    const s = r.structuredContent!;
    expect(s).toMatchObject({ resumed: true, counts: { recipients: n, failed: 0, pending: 0 } });
    expect(s.counts.succeeded + s.counts.unknown).toBe(n);
    const reached = reachedByIndex(c.sim, n);
    expect(Math.max(...reached)).toBe(1);
    const state = states(r, batches);
    const missed = reached.flatMap((times, i) => (times === 0 ? [i] : []));
    for (const i of missed) expect(state[Math.floor(i / BATCH)], `user-${i}`).toBe('unknown');
    // What B reports as succeeded the simulator did receive, every one.
    for (let i = 0; i < batches; i++) if (state[i] === 'succeeded') expect(reached[i * BATCH]).toBe(1);
    // At most the gate's 4 batches in flight on A are unknown (3 at the vendor, 1 waiting for a slot).
    expect(s.counts.unknown).toBeLessThanOrEqual(4 * BATCH);
    expect(c.sim.writes.counts.sends).toBeGreaterThanOrEqual(batches - 4);
    expect(c.sim.requests.filter((q) => q.status === 429)).toHaveLength(0);
  }, 60_000);

  it('Redis stopped mid-send: no duplicate, and the batches not sent are reported as such', async () => {
    const [d] = lone.instances as [any];
    const n = 30_000;
    const batches = n / BATCH;
    lone.sim.writes.knobs.sendPerSecond = 20;
    const args = sendArgs(lone.recipientsFile(n));
    const confirm = (await d.call('send_to_users', args)).structuredContent!.confirm as string;
    const result = d.call('send_to_users', { ...args, confirm });
    await until(() => lone.sim.writes.counts.sends >= 8, 20_000, '8 batches sent');
    await own.stop('SIGKILL');
    const r = (await result) as ToolAnswer;
    const s = r.structuredContent!;
    expect(r.content[0]!.text).toMatch(/^STOPPED: the journal could not be written/);
    expect(s.counts.pending).toBeGreaterThan(0);
    expect(s.counts.succeeded + s.counts.unknown + s.counts.pending).toBe(n);
    const reached = reachedByIndex(lone.sim, n);
    expect(Math.max(...reached)).toBe(1);
    const state = states(r, batches);
    for (let i = 0; i < batches; i++) {
      const got = reached.slice(i * BATCH, (i + 1) * BATCH).reduce((x, y) => x + y, 0);
      if (state[i] === 'pending') expect(got, `batch ${i} reported not sent`).toBe(0);
      if (state[i] === 'succeeded') expect(got, `batch ${i} reported succeeded`).toBe(BATCH);
    }
    expect(r.content[0]!.text).toContain(`${s.counts.pending} not sent`);
    await until(() => /redis connection error/.test(d.bin.stderr()), 5_000, 'the lost connection logged');
    expect(d.bin.stderr() + d.bin.stdout() + JSON.stringify(r)).not.toContain(PASSWORD);
  });
});
