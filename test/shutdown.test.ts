import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import { spawnBin } from './helpers/spawn.js';

// Every simulator answer is held 300 ms over its dozen pages, so the call is surely in flight when SIGTERM arrives, however busy the machine.
const SLOW_CALL = { name: 'list_campaigns', arguments: { vendor: 'moengage', limit: 100 } };
const IN_FLIGHT_MS = 200;
let sim: MoEngageSim;
let env: Record<string, string>;
beforeAll(async () => {
  sim = await startMoEngageSim({});
  sim.faults.latencyMs = 300;
  env = { MOENGAGE_WORKSPACE_ID: sim.credentials.workspaceId, MOENGAGE_API_KEY: sim.credentials.apiKey, MOENGAGE_BASE_URL: sim.url };
});
afterAll(() => sim.close());

describe('graceful shutdown', () => {
  it('over HTTP, SIGTERM stops accepting, lets the call in flight finish, and exits 0', async () => {
    const p = spawnBin(['--http', '--port', '0'], env);
    const url = (await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/mcp/))[0];
    const started = Date.now();
    const call = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: SLOW_CALL }),
    });
    await new Promise((r) => setTimeout(r, IN_FLIGHT_MS));
    let answeredAt = 0;
    const answered = call.then(async (r) => ({ status: r.statusCode, body: await r.body.text(), at: (answeredAt = Date.now()) }));
    p.proc.kill('SIGTERM');
    const signalledAt = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    // No new work is taken: the port is closed, or a request still reaching it is answered 503 while in-flight calls drain.
    const late = await request(url, { method: 'POST', body: '{}' }).then((r) => r.statusCode, () => 'refused');
    expect([503, 'refused']).toContain(late);
    const res = await answered;
    expect(answeredAt, 'the call must still be running when SIGTERM is sent').toBeGreaterThan(signalledAt);
    expect(res.status).toBe(200);
    // The 2025-era stateless answer may come as one JSON body or as one SSE event.
    const message = res.body.startsWith('{') ? res.body : /^data: (.*)$/m.exec(res.body)![1]!;
    expect(JSON.parse(message)).toMatchObject({ id: 7, result: { structuredContent: { total: expect.any(Number) } } });
    expect(await p.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('over stdio, SIGTERM lets the call in flight answer, then exits 0', async () => {
    const p = spawnBin([], env);
    const send = (msg: object) => p.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await p.waitFor(/"id":1/);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: SLOW_CALL });
    await new Promise((r) => setTimeout(r, IN_FLIGHT_MS));
    expect(p.stdout()).not.toMatch(/"id":2/);
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const answer = p.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: number; result?: { isError?: boolean } }).find((m) => m.id === 2);
    expect(answer?.result?.isError).toBeFalsy();
    expect(answer?.result).toHaveProperty('structuredContent');
  });
});
