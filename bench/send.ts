import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCleverTapSim } from '../src/sandbox/clevertap.js';

const BIN = fileURLToPath(new URL('./campaign-mcp.js', import.meta.url));

/** One large CleverTap send from a recipients file through the spawned bin: throughput against the simulator's limit, peak RSS. */
export async function largeSend(recipients: number, sendPerSecond: number): Promise<{ seconds: number; fraction: number; peakRssMb: number; reachedOnce: boolean; requests: number }> {
  const sim = await startCleverTapSim({});
  sim.writes.knobs.sendPerSecond = sendPerSecond;
  const dir = mkdtempSync(join(tmpdir(), 'bench-send-'));
  const file = join(dir, 'r.txt');
  writeFileSync(file, `${Array.from({ length: recipients }, (_, i) => `user-${i}`).join('\n')}\n`);
  const proc = spawn(process.execPath, [BIN, '--data-dir', join(dir, 'data')], {
    env: {
      PATH: process.env.PATH ?? '', HOME: dir, CAMPAIGN_MCP_CONFIRM: 'never', CAMPAIGN_MCP_MAX_RECIPIENTS: String(recipients),
      CAMPAIGN_MCP_DEADLINE_S: '600', CLEVERTAP_ACCOUNT_ID: sim.credentials.accountId, CLEVERTAP_PASSCODE: sim.credentials.passcode, CLEVERTAP_BASE_URL: sim.url,
    },
    stdio: ['pipe', 'pipe', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
  });
  let buf = '';
  const waiting = new Map<number, (v: any) => void>();
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (process.env.BENCH_DEBUG) process.stderr.write(`<- ${JSON.stringify(msg).slice(0, 300)}\n`);
      waiting.get(msg.id)?.(msg);
    }
  });
  let id = 0;
  const rpc = (method: string, params: unknown) => new Promise<any>((resolve) => {
    waiting.set(++id, resolve);
    proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
  });
  await rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
  proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  const args = { vendor: 'clevertap', channel: 'push', recipients: { id_type: 'identity' }, recipients_file: file, content: { title: 'Hi', body: 'Flash sale' } };
  const preview = await rpc('tools/call', { name: 'send_to_users', arguments: args });
  const confirm = preview.result.structuredContent.confirm as string;
  const t0 = performance.now();
  const done = await rpc('tools/call', { name: 'send_to_users', arguments: { ...args, confirm } });
  const seconds = (performance.now() - t0) / 1000;
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  proc.kill('SIGTERM');
  const ok = done.result.structuredContent.counts.succeeded === recipients;
  const reachedOnce = ok && sim.writes.received.size === recipients && [...sim.writes.received.values()].every((n) => n === 1);
  const requests = sim.writes.sends.length;
  // The limit is in requests a second; each carries up to 1,000 identities.
  const fraction = requests / seconds / sendPerSecond;
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  return { seconds, fraction, peakRssMb, reachedOnce, requests };
}
