import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
const DISCOVER = { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: META } };
const MODERN_LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: META } };

/** Milliseconds from spawn to the tools/list answer, over stdio (2025-11-25 initialize, or 2026-07-28 discover). */
function once(args: string[], modern = false, env: Record<string, string> = {}, stayMs = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '', ...env } });
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('"id":1') && !buf.includes('"initialized-sent"')) {
        buf += '"initialized-sent"';
        p.stdin.write(modern ? `${JSON.stringify(MODERN_LIST)}\n` : `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify(LIST)}\n`);
      }
      if (/"id":2\b/.test(buf)) {
        const ms = performance.now() - t0;
        setTimeout(() => (p.kill(), resolve(ms)), stayMs);
      }
    });
    p.on('error', reject);
    p.stdin.write(`${JSON.stringify(modern ? DISCOVER : INIT)}\n`);
  });
}

/** Cold start of our bin and the reference server, interleaved run by run on the same machine. */
export async function coldStart(runs = 15): Promise<Record<string, number>> {
  const require = createRequire(import.meta.url);
  const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
  // The launcher's V8 code cache (written by a first start that ran 2 s) in a folder of the bench's own.
  const cacheDir = mkdtempSync(join(tmpdir(), 'campaign-mcp-bench-cache-'));
  const cached = { CAMPAIGN_MCP_COMPILE_CACHE: cacheDir };
  const subjects: Record<string, [string[], boolean, Record<string, string>]> = {
    'campaign-mcp (bundled bin)': [['dist/campaign-mcp.js'], false, cached],
    'campaign-mcp, no compile cache': [['dist/campaign-mcp.js'], false, { CAMPAIGN_MCP_COMPILE_CACHE: '0' }],
    'campaign-mcp, 2026-07-28': [['dist/campaign-mcp.js'], true, cached],
    'campaign-mcp --sandbox': [['dist/campaign-mcp.js', '--sandbox'], false, cached],
    'server-everything (reference)': [[everything, 'stdio'], false, {}],
  };
  // BENCH_COMPARE_BIN=<path to an earlier build> times it in the same interleaved runs.
  if (process.env.BENCH_COMPARE_BIN) subjects['earlier build (BENCH_COMPARE_BIN)'] = [[process.env.BENCH_COMPARE_BIN], false, {}];
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  try {
    await once(['dist/campaign-mcp.js', '--sandbox'], false, cached, 2_500); // writes the code cache
    for (const [args, modern, env] of Object.values(subjects)) await once(args, modern, env); // warm the file cache
    for (let i = 0; i < runs; i++) for (const [k, [args, modern, env]] of Object.entries(subjects)) samples[k]!.push(await once(args, modern, env));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
