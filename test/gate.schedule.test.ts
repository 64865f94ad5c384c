import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { createServer } from '../src/server.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { gateContext } from './helpers/gate-ctx.js';

// A token lives 10 minutes: a schedule a few minutes ahead at the preview can pass before the confirmation. The real
// CleverTap writer and simulator, the gate on a clock the test moves (the simulator keeps the real one, so it would
// take the campaign: only the gate can refuse it).

let sim: CleverTapSim;
let http: HttpClient;
let client: Client;
let cleanup: () => void;
const clock = { now: new Date() };

beforeAll(async () => {
  // create.json's 1 a second (estimates count) on a clock 20 times faster, shared by the client and the simulator.
  const fast = fastClock(20);
  sim = await startCleverTapSim({ seed: 5, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
  const adapter = new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url, timezone: 'UTC' }, http);
  const g = gateContext([adapter], { now: () => clock.now, settings: { ask: 'never', ttlMs: 600_000 } });
  cleanup = g.cleanup;
  client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
});
afterAll(async () => {
  await client.close();
  cleanup();
  await http.close();
  await sim.close();
});

/** A push campaign scheduled `aheadMin` minutes after the gate's now, in UTC. */
function create(aheadMin: number) {
  const at = new Date(clock.now.getTime() + aheadMin * 60_000).toISOString().slice(0, 16);
  return { vendor: 'clevertap', name: `Flash sale ${aheadMin}`, channel: 'push', audience: { all_users: true }, content: { title: 'Sale', body: 'Today only' }, schedule: at };
}
const call = (args: Record<string, unknown>) => client.callTool({ name: 'create_campaign', arguments: args });
const text = (r: Awaited<ReturnType<typeof call>>) => (r.content as Array<{ text: string }>)[0]!.text;

describe('a schedule that passed between preview and confirmation', () => {
  it('is refused at confirmation, nothing created, with the way forward; still ahead, it is created', async () => {
    clock.now = new Date();
    const late = create(5);
    const p = await call(late);
    expect(p.isError).toBeFalsy();
    const token = (p.structuredContent as { confirm: string }).confirm;
    const before = sim.campaigns.length;
    // 7 minutes later: the token (10 minutes) is still valid, the schedule (5 minutes ahead) has passed.
    clock.now = new Date(clock.now.getTime() + 7 * 60_000);
    const r = await call({ ...late, confirm: token });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/passed since the preview.*nothing was written.*later schedule/s);
    expect(sim.campaigns.length).toBe(before);

    clock.now = new Date();
    const ahead = create(30);
    const q = await call(ahead);
    clock.now = new Date(clock.now.getTime() + 7 * 60_000);
    const ok = await call({ ...ahead, confirm: (q.structuredContent as { confirm: string }).confirm });
    expect(ok.isError, text(ok)).toBeFalsy();
    expect((ok.structuredContent as { status: string }).status).toBe('succeeded');
    expect(sim.campaigns.length).toBe(before + 1);
  });

  it('is refused too when the same token sends again a create the vendor refused before acting, once its time passed', async () => {
    clock.now = new Date();
    const args = create(5);
    const p = await call(args);
    const token = (p.structuredContent as { confirm: string }).confirm;
    // create.json refuses it with 429s past the client's retries: not acted, so the same token may send it again.
    for (let i = 0; i < 5; i++) sim.writes.knobs.inject({ kind: 'status', status: 429, acted: false, retryAfterSec: 0.01, path: /create\.json/ });
    const first = await call({ ...args, confirm: token });
    expect((first.structuredContent as { status: string }).status, text(first)).toBe('failed');
    sim.writes.knobs.faults.length = 0;
    const before = sim.campaigns.length;
    clock.now = new Date(clock.now.getTime() + 60 * 60_000);
    const again = await call({ ...args, confirm: token });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/passed since the preview/);
    expect(sim.campaigns.length).toBe(before);
  });
});
