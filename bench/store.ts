import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { buildApp } from '../src/index.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startCleverTapSim } from '../src/sandbox/clevertap.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from '../test/helpers/client.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { median, r } from './stats.js';

const BIN = fileURLToPath(new URL('./campaign-mcp.js', import.meta.url));

/**
 * What the Redis store adds to one confirmed write: the same one-recipient CleverTap send through the whole
 * tool path (in-process client, gate, adapter, loopback simulator), embedded store (journal fsynced on disk)
 * vs Redis store, interleaved call by call in one run. Medians of the confirmed call only (previews untimed).
 */
export async function storeOverhead(redisUrl: string, iterations = 200): Promise<{ embedded: number; redis: number; overhead: number }> {
  const sim = await startCleverTapSim({});
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const env = { CLEVERTAP_ACCOUNT_ID: sim.credentials.accountId, CLEVERTAP_PASSCODE: sim.credentials.passcode, CLEVERTAP_BASE_URL: sim.url, CAMPAIGN_MCP_CONFIRM: 'never' };
  const apps = await Promise.all([
    buildApp(loadConfig({ sandbox: false, readOnly: false, http: false, dataDir: join(dir, 'embedded') }, env), silentLogger),
    buildApp(loadConfig({ sandbox: false, readOnly: false, http: false, dataDir: join(dir, 'redis') }, { ...env, CAMPAIGN_MCP_REDIS_URL: redisUrl }), silentLogger),
  ]);
  const clients = await Promise.all(apps.map((app) => connectInProcess(createServer(app.ctx, allTools, { readOnly: false }))));
  const times: [number[], number[]] = [[], []];
  try {
    for (let i = 0; i < iterations + 10; i++) {
      for (const k of [0, 1] as const) {
        const args = { vendor: 'clevertap', channel: 'push', recipients: { ids: [`u-${k}-${i}`], id_type: 'identity' }, content: { title: 'Hi', body: 'Bench' } };
        const preview = await clients[k]!.callTool({ name: 'send_to_users', arguments: args });
        const confirm = (preview.structuredContent as { confirm: string }).confirm;
        const t = performance.now();
        const done = await clients[k]!.callTool({ name: 'send_to_users', arguments: { ...args, confirm } });
        const ms = performance.now() - t;
        if ((done.structuredContent as { status: string }).status !== 'succeeded') throw new Error(JSON.stringify(done.content));
        if (i >= 10) times[k].push(ms); // the first ten warm up connections and JIT
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(apps.map((a) => a.close()));
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const [embedded, redis] = times.map(median) as [number, number];
  return { embedded, redis, overhead: redis - embedded };
}

/** A spawned HTTP instance of the bin on `redisUrl`, with a 2026-07-28 client. */
async function instance(env: Record<string, string>, dataDir: string): Promise<{ proc: ChildProcess; client: Client }> {
  const proc = spawn(process.execPath, [BIN, '--http', '--port', '0', '--data-dir', dataDir], { env: { PATH: process.env.PATH ?? '', HOME: dataDir, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/mcp/.exec(out);
      if (m) resolve(m[0]);
    });
    proc.once('exit', (code) => reject(new Error(`instance exited ${code}`)));
  });
  const client = new Client({ name: 'bench-store', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return { proc, client };
}

/**
 * 100,000 recipients to a CleverTap simulator that accepts `sendPerSecond` send requests a second (queueing the
 * rest) and refuses a 4th concurrent request: one instance sending all of them, vs three instances sharing one
 * Redis each sending a third at once (without `redisUrl`: the embedded store, for a control). Throughput is send
 * requests a second as a fraction of the limit.
 */
export async function sendAcrossInstances(redisUrl: string | undefined, instances: number, recipients = 100_000, sendPerSecond = 20) {
  const sim = await startCleverTapSim({});
  sim.writes.knobs.sendPerSecond = sendPerSecond;
  const dir = mkdtempSync(join(tmpdir(), 'bench-instances-'));
  const env = {
    CLEVERTAP_ACCOUNT_ID: sim.credentials.accountId, CLEVERTAP_PASSCODE: sim.credentials.passcode, CLEVERTAP_BASE_URL: sim.url,
    CAMPAIGN_MCP_CONFIRM: 'never', CAMPAIGN_MCP_DEADLINE_S: '600', LOG_LEVEL: 'error', ...(redisUrl ? { CAMPAIGN_MCP_REDIS_URL: redisUrl } : {}),
  };
  const started = await Promise.all(Array.from({ length: instances }, (_, i) => instance(env, join(dir, `data-${i}`))));
  try {
    const share = (i: number) => Math.floor(recipients / instances) + (i < recipients % instances ? 1 : 0);
    let from = 0;
    const args = started.map((_, i) => {
      const file = join(dir, `r-${i}.txt`);
      const n = share(i);
      writeFileSync(file, `${Array.from({ length: n }, (_, j) => `user-${from + j}`).join('\n')}\n`);
      from += n;
      return { vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity' }, recipients_file: file, content: { title: 'Hi', body: 'Flash sale' } };
    });
    const confirms = await Promise.all(started.map(async ({ client }, i) => ((await client.callTool({ name: 'send_to_users', arguments: args[i]! })).structuredContent as { confirm: string }).confirm));
    const seen = sim.requests.length;
    const t0 = performance.now();
    const done = await Promise.all(started.map(({ client }, i) => client.callTool({ name: 'send_to_users', arguments: { ...args[i]!, confirm: confirms[i]! } }, { timeout: 600_000 })));
    const seconds = (performance.now() - t0) / 1000;
    const succeeded = done.reduce((n, d) => n + (d.structuredContent as { counts: { succeeded: number } }).counts.succeeded, 0);
    const requests = sim.writes.sends.length;
    return {
      instances, seconds, requests, fraction: requests / seconds / sendPerSecond, succeeded,
      reachedOnce: sim.writes.received.size === recipients && [...sim.writes.received.values()].every((v) => v === 1),
      refused429: sim.requests.slice(seen).filter((q) => q.status === 429).length,
    };
  } finally {
    await Promise.all(started.map(async ({ proc, client }) => {
      await client.close().catch(() => undefined);
      proc.kill('SIGTERM');
    }));
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Both figures side by side in one run, against a redis-server started here (for `npm run bench:store` and
 * bench/run.ts); the sends run `rounds` times, interleaved, and report the median fraction and the range.
 */
export async function storeFigures(iterations = 200, rounds = 3): Promise<string[]> {
  const redis = await startRedis();
  const lines: string[] = [];
  try {
    const o = await storeOverhead(`${redis.url}/0`, iterations);
    lines.push(`confirmed one-recipient send, median of ${iterations}: embedded ${r(o.embedded, 2)} ms, redis ${r(o.redis, 2)} ms, overhead ${r(o.overhead, 2)} ms`);
    const setups = [[1, undefined], [1, `${redis.url}/1`], [3, `${redis.url}/3`]] as const;
    const runs = setups.map(() => [] as Array<Awaited<ReturnType<typeof sendAcrossInstances>>>);
    for (let round = 0; round < rounds; round++) {
      for (const [i, [n, url]] of setups.entries()) runs[i]!.push(await sendAcrossInstances(url, n));
    }
    for (const [i, [n, url]] of setups.entries()) {
      const f = runs[i]!.map((x) => x.fraction * 100);
      lines.push(`100,000 recipients on ${n} instance(s), ${url ? 'redis' : 'embedded'} store, ${rounds} rounds: median ${r(median(f))}% of the limit `
        + `(${r(Math.min(...f))}-${r(Math.max(...f))}%), median ${r(median(runs[i]!.map((x) => x.seconds)), 2)} s, `
        + `429s ${runs[i]!.reduce((a, x) => a + x.refused429, 0)}, each recipient once: ${runs[i]!.every((x) => x.reachedOnce)}`);
    }
  } finally {
    await redis.stop();
  }
  return lines;
}

// Run as `npm run bench:store` (dist/bench-store.js), not when bundled into dist/bench.js.
if (process.argv[1]?.endsWith('bench-store.js') && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const line of await storeFigures(Number(process.env.BENCH_ITERATIONS ?? 200), Number(process.env.BENCH_ROUNDS ?? 3))) console.log(line);
}
