import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { INSPECTOR } from '../src/cli.js';
import { allTools } from '../tools/index.js';
import { BIN, isolatedEnv, spawnBin, type Spawned } from './helpers/spawn.js';

// The CLI half of the MCP Inspector, at the version the README and `npm start` print (`npx … --cli` runs it).
const pkg = createRequire(import.meta.url).resolve('@modelcontextprotocol/inspector-cli/package.json');
const CLI = join(dirname(pkg), 'build', 'index.js');
const run = promisify(execFile);
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...isolatedEnv() };
const servers: Spawned[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.kill())));

/**
 * How long one Inspector CLI run may take: two node processes start (the CLI and the server it launches) before it
 * prints; on a loaded CI machine that took 12 s where it takes 2 s idle, and a 20 s bound failed it under load.
 */
const RUN_MS = 45_000;
const names = (stdout: string) => (JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);

describe(`the MCP Inspector's CLI (${INSPECTOR}) lists the tools, as the printed commands run it`, () => {
  it('is the version the printed lines name', () => {
    const { version } = createRequire(import.meta.url)(pkg) as { version: string };
    expect(INSPECTOR).toBe(`@modelcontextprotocol/inspector@${version}`);
  });

  it('over stdio: --cli node dist/campaign-mcp.js --sandbox --method tools/list', async () => {
    const { stdout } = await run(process.execPath, [CLI, process.execPath, BIN, '--sandbox', '--method', 'tools/list'], { env, timeout: RUN_MS });
    expect(names(stdout)).toEqual(allTools.map((t) => t.name));
  }, RUN_MS + 5_000);

  it('through its launcher with a --config server, as the banner prints it (after --)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-inspector-'));
    try {
      const config = join(dir, 'accounts.json');
      writeFileSync(config, JSON.stringify({ accounts: [{ vendor: 'batch', name: 'eu', apiKey: 'inspector-app-key', restApiKey: 'inspector-rest-key', baseUrl: 'http://127.0.0.1:9' }] }));
      const launcher = join(dirname(pkg), 'build', 'cli.js');
      const { stdout } = await run(process.execPath, [launcher, '--cli', '-e', `HOME=${dir}`, '--', process.execPath, BIN, '--read-only', '--config', config, '--data-dir', dir, '--method', 'tools/list'], { env, timeout: RUN_MS });
      expect(names(stdout)).toEqual(allTools.filter((t) => t.kind === 'read').map((t) => t.name));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, RUN_MS + 5_000);

  it('over HTTP: --cli http://127.0.0.1:<port>/mcp --method tools/list', async () => {
    const s = spawnBin(['--sandbox', '--http', '--port', '0']);
    servers.push(s);
    const [, url] = await s.waitFor(/^(http:\/\/127\.0\.0\.1:\d+\/mcp)$/m);
    const { stdout } = await run(process.execPath, [CLI, url!, '--method', 'tools/list'], { env, timeout: RUN_MS });
    expect(names(stdout)).toEqual(allTools.map((t) => t.name));
  }, RUN_MS + 5_000);
});
