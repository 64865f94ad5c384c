import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract, unzip } from './helpers/unzip.js';
import { hostCommand, ManifestSchema, stdioSession, type Manifest } from './helpers/mcpb.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'))) as Manifest;
const temps: string[] = [];
const temp = (label: string) => {
  const d = mkdtempSync(join(tmpdir(), `campaign-mcp-${label}-`));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

let bundle: string;
let packOutput: string;
beforeAll(() => {
  const out = temp('pack');
  // dist/ is built once by the global setup; rebuilding here would pull it from under the other spawned tests.
  packOutput = execFileSync(process.execPath, ['scripts/pack.mjs', '--no-build', '--out', out], { cwd: ROOT, encoding: 'utf8' });
  bundle = join(out, `campaign-mcp-${pkg.version}.mcpb`);
}, 60_000);

describe('manifest.json (MCPB 0.3)', () => {
  it('maps every setting into mcp_config and declares every placeholder it uses', () => {
    const config = JSON.stringify(manifest.server.mcp_config);
    const used = new Set([...config.matchAll(/\$\{user_config\.(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(manifest.user_config).sort());
    expect(manifest.server.entry_point).toBe('dist/campaign-mcp.js');
    expect(manifest.server.mcp_config.args?.[0]).toBe('${__dirname}/dist/campaign-mcp.js');
  });

  it('offers sandbox, read-only, the data directory, and every vendor variable; credentials are sensitive', () => {
    const uc = manifest.user_config;
    expect(uc.sandbox?.type).toBe('boolean');
    expect(uc.read_only?.type).toBe('boolean');
    expect(uc.data_dir?.type).toBe('directory');
    const env = manifest.server.mcp_config.env ?? {};
    for (const v of ['CLEVERTAP_ACCOUNT_ID', 'CLEVERTAP_PASSCODE', 'CLEVERTAP_REGION', 'MOENGAGE_WORKSPACE_ID', 'MOENGAGE_API_KEY', 'MOENGAGE_DATA_CENTER',
      'MOENGAGE_CREATED_BY', 'BATCH_API_KEY', 'BATCH_REST_API_KEY', 'ALTCRAFT_API_TOKEN', 'ALTCRAFT_BASE_URL', 'CAMPAIGN_MCP_READ_ONLY', 'CAMPAIGN_MCP_DATA_DIR',
      'CLEVERTAP_TIMEZONE', 'MOENGAGE_TIMEZONE', 'BATCH_TIMEZONE', 'ALTCRAFT_TIMEZONE']) expect(env[v], v).toMatch(/^\$\{user_config\.\w+\}$/);
    for (const k of ['clevertap_passcode', 'moengage_api_key', 'batch_api_key', 'batch_rest_api_key', 'altcraft_api_token']) expect(uc[k]?.sensitive, k).toBe(true);
    // An optional setting left empty must become "", never a literal "${user_config.x}" that would look like a credential.
    for (const [k, o] of Object.entries(uc)) expect(o.default, k).toBeDefined();
  });
});

describe('the .mcpb', () => {
  it('holds only what runs, and is small', () => {
    const entries = unzip(readFileSync(bundle));
    const names = entries.map((e) => e.name);
    expect(names.slice(0, 4)).toEqual(['manifest.json', 'package.json', 'README.md', 'LICENSE']);
    expect(names).toContain('dist/campaign-mcp.js');
    for (const n of names.slice(5)) expect(n).toMatch(/^dist\/chunks\/[\w-]+\.c?js$/);
    expect(names.filter((n) => /^(src|test|tools|bench|scripts|node_modules)\/|\.ts$|bench\.js$/.test(n))).toEqual([]);
    expect(entries.find((e) => e.name === 'dist/campaign-mcp.js')!.mode).toBe(0o755);
    const runtimePkg = JSON.parse(entries.find((e) => e.name === 'package.json')!.data.toString()) as Record<string, unknown>;
    expect(runtimePkg).toMatchObject({ type: 'module', version: pkg.version });
    expect(runtimePkg.devDependencies).toBeUndefined();
    const size = readFileSync(bundle).length;
    expect(size).toBeLessThan(1024 * 1024);
    expect(packOutput).toMatch(new RegExp(`campaign-mcp-${pkg.version}\\.mcpb: [\\d.]+ KB, ${entries.length} files`));
  });

  it('is a standard zip (checked by unzip -t where installed)', () => {
    const probe = spawnSync('unzip', ['-tq', bundle], { encoding: 'utf8' });
    if (probe.error) return; // no unzip here: the reader in helpers/unzip.ts, written apart from the writer, still checked it
    expect(probe.status, probe.stdout + probe.stderr).toBe(0);
  });

  it('unpacked into an empty folder, runs tools/list and a sandbox listing with no node_modules', async () => {
    const dir = temp('unpacked');
    extract(unzip(readFileSync(bundle)), dir);
    for (let d = dir; ; d = dirname(d)) {
      expect(existsSync(join(d, 'node_modules')), `${d}/node_modules would let the bin resolve packages`).toBe(false);
      if (dirname(d) === d) break;
    }
    const home = temp('home');
    const run = hostCommand(manifest, dir, home, { sandbox: true, data_dir: join(home, 'data') });
    expect(run.args).toEqual([join(dir, 'dist/campaign-mcp.js'), '--sandbox=true']);
    const s = await stdioSession(process.execPath, run.args, { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, ...run.env } }, [
      { method: 'tools/list' },
      { method: 'tools/call', params: { name: 'list_campaigns', arguments: { limit: 3 } } },
    ]);
    const [tools, listing] = s.results;
    const served = tools!.result.tools.map((t: { name: string }) => t.name) as string[];
    // Write tools are offered where an account can write; every tool served is declared, every read tool is served.
    expect(manifest.tools.map((t) => t.name)).toEqual(expect.arrayContaining(served));
    expect(served).toEqual(expect.arrayContaining(['list_vendors', 'list_campaigns', 'search_campaigns', 'get_campaign', 'get_campaign_report', 'estimate_reach']));
    expect(listing!.result.isError).toBeFalsy();
    expect(listing!.result.structuredContent).toMatchObject({ sandbox: true });
    expect(listing!.result.structuredContent.campaigns).toHaveLength(3);
    expect(readdirSync(join(home, 'data'))).toContain('secret'); // the data directory setting reached the server
  });

  it('with every setting left at its default, starts and says no vendor is configured', async () => {
    const dir = temp('unpacked');
    extract(unzip(readFileSync(bundle)), dir);
    const home = temp('home');
    const run = hostCommand(manifest, dir, home);
    const s = await stdioSession(process.execPath, run.args, { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, ...run.env } }, [{ method: 'tools/list' }]);
    expect(s.results[0]!.result.tools.map((t: { name: string }) => t.name)).toContain('list_vendors');
    expect(s.stderr()).toMatch(/no vendor is configured/);
  });
});
