import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startCleverTapSim, type CleverTapSim } from '../../src/sandbox/clevertap.js';
import { spawnBin, type Spawned } from './spawn.js';

/** A tool result as the tests read it. */
export interface ToolAnswer {
  isError?: boolean;
  content: Array<{ text: string }>;
  structuredContent?: Record<string, any>;
}

/** One bundled server over HTTP (2026-07-28, stateless: any request may go to any instance), and a client on it. */
export interface Instance {
  bin: Spawned;
  url: string;
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  close(): Promise<void>;
}

/** Instances sharing one Redis, each with its own data directory (nothing local is shared), and the one strict CleverTap simulator they write to. */
export interface Cluster {
  sim: CleverTapSim;
  dir: string;
  instances: Instance[];
  /** Start one more instance on the same Redis and simulator. */
  start(env?: Record<string, string>): Promise<Instance>;
  /** A recipients file of `n` identities user-0 … user-(n-1), one a line. */
  recipientsFile(n: number): string;
  close(): Promise<void>;
}

/** Spawn `n` instances of dist/campaign-mcp.js --http on free ports, all on `redisUrl` and the simulator started here. */
export async function startCluster(n: number, redisUrl: string, env: Record<string, string> = {}): Promise<Cluster> {
  const sim = await startCleverTapSim({});
  const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-cluster-'));
  const all: Instance[] = [];
  let made = 0;
  const start = async (extra: Record<string, string> = {}): Promise<Instance> => {
    const data = join(dir, `data-${made++}`);
    const bin = spawnBin(['--http', '--port', '0', '--data-dir', data], {
      CAMPAIGN_MCP_REDIS_URL: redisUrl, CAMPAIGN_MCP_CONFIRM: 'never', LOG_LEVEL: 'warn',
      CLEVERTAP_ACCOUNT_ID: sim.credentials.accountId, CLEVERTAP_PASSCODE: sim.credentials.passcode, CLEVERTAP_BASE_URL: sim.url,
      ...env, ...extra,
    });
    let url: string;
    const client = new Client({ name: 'redis-cluster-test', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    try {
      url = (await bin.waitFor(/http:\/\/127\.0\.0\.1:\d+\/mcp/))[0];
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    } catch (err) {
      await bin.kill(); // never left running by a failed start
      throw err;
    }
    const inst: Instance = {
      bin, url,
      call: (name, args) => client.callTool({ name, arguments: args }, { timeout: 60_000 }) as Promise<ToolAnswer>,
      async close() {
        await client.close().catch(() => undefined);
        await bin.kill();
      },
    };
    all.push(inst);
    return inst;
  };
  const started = await Promise.allSettled(Array.from({ length: n }, () => start()));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(all.map((i) => i.close()));
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    throw failed.reason;
  }
  return {
    sim, dir, instances: all, start,
    recipientsFile(count) {
      const file = join(dir, `recipients-${count}-${Math.random().toString(36).slice(2)}.txt`);
      writeFileSync(file, `${Array.from({ length: count }, (_, i) => `user-${i}`).join('\n')}\n`);
      return file;
    },
    async close() {
      await Promise.all(all.map((i) => i.close()));
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How often the simulator reached each recipient (`Identity:user-7` → 1), as an array by user index. */
export function reachedByIndex(sim: CleverTapSim, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const [key, times] of sim.writes.received) {
    const m = /user-(\d+)$/.exec(key);
    if (m) out[Number(m[1])] = times;
  }
  return out;
}

/** Wait until `cond` holds (polling), or throw after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
