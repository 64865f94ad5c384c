import { readFileSync } from 'node:fs';
import { spawnBin, type Spawned } from './spawn.js';

/** A tool result as the spawned bin sent it, with the wall time it took. */
export interface Answer {
  result: { isError?: boolean; content: Array<{ text: string }>; structuredContent?: Record<string, any> };
  ms: number;
}

/** A spawned stdio bin with an initialized session: call tools, read its peak RSS, stop it. */
export interface Session {
  bin: Spawned;
  call(name: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<Answer>;
  /** Peak resident set size of the process so far (Linux VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Spawn the bin over stdio with `args` and `env`, and initialize an MCP session on it. */
export async function startSession(args: string[], env: Record<string, string>): Promise<Session> {
  const bin = spawnBin(args, env);
  let nextId = 0;
  let buffered = '';
  const waiting = new Map<number, (msg: any) => void>();
  bin.proc.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { id?: number };
      if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg);
    }
  });
  const request = (method: string, params: object, timeoutMs = 30_000) => new Promise<any>((resolve, reject) => {
    const id = nextId++;
    const t = setTimeout(() => reject(new Error(`no answer to ${method} in ${timeoutMs} ms; stderr=${bin.stderr().slice(-2000)}`)), timeoutMs);
    waiting.set(id, (msg) => (clearTimeout(t), waiting.delete(id), resolve(msg)));
    bin.proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
  });
  await request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'hostile-test', version: '1' } });
  bin.proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    bin,
    async call(name, a = {}, timeoutMs) {
      const t0 = performance.now();
      const msg = await request('tools/call', { name, arguments: a }, timeoutMs);
      if (!msg.result) throw new Error(`protocol error: ${JSON.stringify(msg).slice(0, 500)}`);
      return { result: msg.result, ms: performance.now() - t0 };
    },
    peakRssMb() {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${bin.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : Number.NaN;
    },
    async stop() {
      bin.proc.stdin.end();
      await Promise.race([bin.exited, new Promise((r) => setTimeout(r, 3000))]);
      await bin.kill();
    },
  };
}
