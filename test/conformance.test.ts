import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnBin, type Spawned } from './helpers/spawn.js';

// The official conformance suite, at its last release that runs on Node 20 (later ones use fs.globSync).
const pkg = createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json');
const CLI = join(dirname(pkg), 'dist', 'index.js');
const BASELINE = fileURLToPath(new URL('./fixtures/conformance-baseline.yml', import.meta.url));
const APPLY = ['server-initialize', 'ping', 'tools-list', 'resources-list', 'prompts-list', 'dns-rebinding-protection'];
let server: Spawned | undefined;
afterAll(async () => server?.kill());

describe('MCP conformance scenarios (@modelcontextprotocol/conformance) against the spawned bin over HTTP', () => {
  it('passes every scenario that applies; the rest (fixtures of the reference server) are listed in the baseline', async () => {
    server = spawnBin(['--sandbox', '--http', '--port', '0']);
    const [, url] = await server.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/mcp)$/m);
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'server', '--url', url!, '--expected-failures', BASELINE], { timeout: 90_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, '') }));
    });
    for (const s of APPLY) expect(out, s).toMatch(new RegExp(`✓ ${s}: \\d+ passed, 0 failed`));
    expect(out).toMatch(/✓ server-initialize: 1 passed/);
    expect(code, out.slice(-2_000)).toBe(0);
  }, 100_000);
});
