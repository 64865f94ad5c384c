import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeRedis, testRedisUrl } from './helpers/redis.js';
import { startCluster, type Cluster } from './helpers/redis-instances.js';

const send = (ids: string[]) => ({ vendor: 'clevertap', channel: 'push', recipients: { ids, id_type: 'identity' }, content: { title: 'Hi', body: 'Flash sale' } });
const tomorrow = () => {
  const d = new Date(Date.now() + 86_400_000);
  return `${d.toISOString().slice(0, 10)}T10:00:00Z`;
};

describeRedis('three instances sharing one Redis (spawned, 2026-07-28 over HTTP)', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster(3, testRedisUrl(1)!);
  }, 60_000);
  afterAll(async () => c?.close());

  it('a token confirmed on A and replayed on B or C writes nothing again', async () => {
    const [a, b, cc] = c.instances as [any, any, any];
    const args = send(['r-1', 'r-2', 'r-3']);
    const preview = await a.call('send_to_users', args);
    const confirm = preview.structuredContent!.confirm as string;
    const first = await a.call('send_to_users', { ...args, confirm });
    expect(first.structuredContent).toMatchObject({ status: 'succeeded', counts: { succeeded: 3 } });
    const onB = await b.call('send_to_users', { ...args, confirm });
    const onC = await cc.call('send_to_users', { ...args, confirm });
    for (const r of [onB, onC]) expect(r.structuredContent).toMatchObject({ status: 'succeeded', replayed: true });
    expect(c.sim.writes.received.get('Identity:r-1')).toBe(1);
    expect(c.sim.writes.sends.filter((s) => s.recipients === 3)).toHaveLength(1);
  });

  it('the same token sent to A and B at the same instant acts once', async () => {
    const [a, b] = c.instances as [any, any];
    const args = send(['s-1', 's-2']);
    const confirm = (await a.call('send_to_users', args)).structuredContent!.confirm as string;
    const before = c.sim.writes.counts.sends;
    const both = await Promise.all([a.call('send_to_users', { ...args, confirm }), b.call('send_to_users', { ...args, confirm })]);
    expect(c.sim.writes.counts.sends - before).toBe(1);
    expect(c.sim.writes.received.get('Identity:s-1')).toBe(1);
    expect(both.map((r) => r.structuredContent!.status)).toEqual(['succeeded', 'succeeded']);
    expect(both.filter((r) => r.structuredContent!.replayed)).toHaveLength(1);
  });

  it('a cursor from A pages on B and C', async () => {
    const [a, b, cc] = c.instances as [any, any, any];
    const p1 = await a.call('list_campaigns', { vendor: 'clevertap', limit: 3 });
    const cursor = p1.structuredContent!.next_cursor as string;
    expect(cursor).toBeTruthy();
    const p2 = await b.call('list_campaigns', { vendor: 'clevertap', limit: 3, cursor });
    expect(p2.isError).toBeFalsy();
    const p3 = await cc.call('list_campaigns', { vendor: 'clevertap', limit: 3, cursor: p2.structuredContent!.next_cursor });
    const ids = [p1, p2, p3].flatMap((p) => p.structuredContent!.campaigns.map((x: { id: string }) => x.id));
    expect(new Set(ids).size).toBe(9);
    expect(p2.structuredContent!.total).toBe(p1.structuredContent!.total);
  });

  it('three instances creating CleverTap campaigns at once: 0 refusals for rate at the simulator', async () => {
    const args = (i: number) => ({
      vendor: 'clevertap', name: `cluster-${i}`, channel: 'push', audience: { event: { name: 'Added To Cart' } }, content: { title: 'Hi', body: 'Back in stock' }, schedule: tomorrow(),
    });
    const seen = c.sim.requests.length;
    const previews = await Promise.all(c.instances.map((inst, i) => inst.call('create_campaign', args(i))));
    const done = await Promise.all(c.instances.map((inst, i) => inst.call('create_campaign', { ...args(i), confirm: previews[i]!.structuredContent!.confirm })));
    expect(done.map((r) => r.structuredContent!.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const creates = c.sim.requests.slice(seen).filter((r) => r.path === '/1/targets/create.json');
    expect(creates).toHaveLength(6); // three estimates (previews) and three creates
    expect(creates.filter((r) => r.status === 429)).toHaveLength(0);
    const at = creates.map((r) => r.at).sort((x, y) => x - y);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(950); // arrival jitter on a loaded machine; the 0 refusals above are the vendor's own check
  });

  it('three instances sending at once stay within CleverTap\'s 3 concurrent requests, all told', async () => {
    c.sim.processingMs = 40;
    const seen = c.sim.requests.length;
    c.sim.maxInFlight = 0;
    try {
      const files = c.instances.map(() => c.recipientsFile(6_000));
      const args = files.map((f) => ({ vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity' }, recipients_file: f, content: { title: 'Hi', body: 'Sale' } }));
      const previews = await Promise.all(c.instances.map((inst, i) => inst.call('send_to_users', args[i]!)));
      const done = await Promise.all(c.instances.map((inst, i) => inst.call('send_to_users', { ...args[i]!, confirm: previews[i]!.structuredContent!.confirm })));
      expect(done.map((r) => r.structuredContent!.counts.succeeded)).toEqual([6_000, 6_000, 6_000]);
      expect(c.sim.maxInFlight).toBeLessThanOrEqual(3);
      expect(c.sim.maxInFlight).toBeGreaterThanOrEqual(2);
      expect(c.sim.requests.slice(seen).filter((r) => r.status === 429)).toHaveLength(0);
    } finally {
      c.sim.processingMs = 0;
    }
  });
});
