import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { BIN } from './helpers/spawn.js';

const N = 12_000;
let sim: CleverTapSim;
let dir: string;
let file: string;

beforeAll(async () => {
  sim = await startCleverTapSim({});
  // Slow enough to kill mid-send: 12 batches at 6 a second.
  sim.writes.knobs.sendPerSecond = 6;
  dir = mkdtempSync(join(tmpdir(), 'crash-'));
  file = join(dir, 'recipients.csv');
  writeFileSync(file, `identity\n${Array.from({ length: N }, (_, i) => `user-${i}`).join('\n')}\n`);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The bin over stdio against the simulator, with its journal in `dir`. */
async function start(): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, '--data-dir', join(dir, 'data')],
    env: {
      PATH: process.env.PATH ?? '', HOME: dir, CAMPAIGN_MCP_CONFIRM: 'never',
      CLEVERTAP_ACCOUNT_ID: sim.credentials.accountId, CLEVERTAP_PASSCODE: sim.credentials.passcode, CLEVERTAP_BASE_URL: sim.url,
    },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'crash-test', version: '1' });
  await client.connect(transport);
  return { client, transport };
}

describe('a server killed mid-send (SIGKILL)', () => {
  it('resumes with the same token on restart: no recipient twice, every one not reached is in a batch reported unknown', async () => {
    const args = { vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity' }, recipients_file: file, content: { title: 'Hi', body: 'Flash sale' } };
    const first = await start();
    const preview = (await first.client.callTool({ name: 'send_to_users', arguments: args })).structuredContent as { confirm: string };
    void first.client.callTool({ name: 'send_to_users', arguments: { ...args, confirm: preview.confirm } }, { timeout: 60_000 }).catch(() => undefined);
    while (sim.writes.sends.length < 4) await new Promise((r) => setTimeout(r, 20));
    const pid = first.transport.pid!;
    process.kill(pid, 'SIGKILL');
    const reachedAtKill = sim.writes.received.size;
    expect(reachedAtKill).toBeLessThan(N);

    const second = await start();
    const r = (await second.client.callTool({ name: 'send_to_users', arguments: { ...args, confirm: preview.confirm } }, { timeout: 60_000 })).structuredContent as {
      status: string; resumed?: boolean; counts: Record<string, number>; batches: Array<{ index: number; recipients: number; state: string }>;
    };
    await second.client.close();

    expect(r.resumed).toBe(true);
    const times = [...sim.writes.received.values()];
    expect(Math.max(...times)).toBe(1);
    const reached = (i: number) => sim.writes.received.get(`Identity:user-${i}`) ?? 0;
    for (const b of r.batches) {
      const ids = Array.from({ length: b.recipients }, (_, k) => b.index * 1000 + k);
      const got = ids.filter((i) => reached(i) === 1).length;
      if (b.state === 'succeeded') expect(got, `batch ${b.index}`).toBe(b.recipients);
      else expect(b.state, `batch ${b.index} has ${b.recipients - got} not reached`).toBe('unknown');
    }
    expect(r.counts.pending).toBe(0);
    expect(r.counts.succeeded! + r.counts.unknown!).toBe(N);
    expect(r.counts.unknown).toBeGreaterThan(0);
  }, 60_000);
});
