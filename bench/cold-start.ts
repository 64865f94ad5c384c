import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { median } from './stats.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

/** Milliseconds from spawn to the tools/list answer, over stdio. */
function once(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } });
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('"id":1') && !buf.includes('"initialized-sent"')) {
        buf += '"initialized-sent"';
        p.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify(LIST)}\n`);
      }
      if (/"id":2\b/.test(buf)) {
        const ms = performance.now() - t0;
        p.kill();
        resolve(ms);
      }
    });
    p.on('error', reject);
    p.stdin.write(`${JSON.stringify(INIT)}\n`);
  });
}

/** Cold start of our bin and the reference server, interleaved run by run on the same machine. */
export async function coldStart(runs = 15): Promise<Record<string, number>> {
  const require = createRequire(import.meta.url);
  const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
  const subjects: Record<string, string[]> = {
    'campaign-mcp (bundled bin)': ['dist/campaign-mcp.js'],
    'campaign-mcp --sandbox': ['dist/campaign-mcp.js', '--sandbox'],
    'server-everything (reference)': [everything, 'stdio'],
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (const args of Object.values(subjects)) await once(args); // warm the file cache
  for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(subjects)) samples[k]!.push(await once(args));
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
