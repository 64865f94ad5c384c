import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpBanner, INSPECTOR } from '../src/cli.js';
import { stdioLaunch } from '../src/client-launch.js';
import { parseArgs } from '../src/config.js';
import { runMain } from './helpers/main-io.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'campaign-mcp-start-'));
const started: ChildProcess[] = [];
const servers: number[] = [];
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const pid of servers) if (alive(pid)) process.kill(pid, 'SIGKILL'); // a server a failing test left orphaned
  rmSync(dataDir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const portOpen = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => (s.destroy(), resolve(true)));
  s.once('error', () => resolve(false));
});
async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 15_000) {
  for (const t0 = Date.now(); !(await fn());) {
    if (Date.now() - t0 > ms) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Start a command the way a person would and wait for the banner: the port, and the PID the banner says to kill. */
async function start(command: string, args: string[]) {
  const p = spawn(command, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  started.push(p);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until(`banner from ${command}`, () => /kill \d+, stops/.test(out), 60_000);
  const serverPid = Number(out.match(/kill (\d+), stops/)![1]);
  servers.push(serverPid);
  return { proc: p, port: Number(out.match(/127\.0\.0\.1:(\d+)\/mcp/)![1]), serverPid, out };
}

describe('npm start', () => {
  it('is one server process: stopping npm start by its PID stops the server and frees the port', async () => {
    const s = await start('npm', ['start', '--silent', '--', '--port', '0', '--data-dir', dataDir]);
    expect(await portOpen(s.port)).toBe(true);
    if (existsSync(`/proc/${s.serverPid}/cmdline`)) expect(readFileSync(`/proc/${s.serverPid}/cmdline`, 'utf8')).toContain('scripts/start.mjs');
    s.proc.kill('SIGTERM');
    await until('port freed', async () => !(await portOpen(s.port)));
    await until('server process gone', () => !alive(s.serverPid));
  }, 90_000);

  it('the PID it prints is the process serving: killing it frees the port and exits 0', async () => {
    const s = await start(process.execPath, ['scripts/start.mjs', '--sandbox', '--http', '--port', '0', '--data-dir', dataDir]);
    expect(s.serverPid).toBe(s.proc.pid);
    expect(s.out).toContain(`"args": ${JSON.stringify([join(ROOT, 'dist', 'campaign-mcp.js'), '--sandbox', '--data-dir', dataDir])}`);
    process.kill(s.serverPid, 'SIGTERM');
    const code = await new Promise((r) => s.proc.once('exit', r));
    expect(code).toBe(0);
    expect(await portOpen(s.port)).toBe(false);
  }, 90_000);
});

describe('the banner', () => {
  const url = 'http://127.0.0.1:3000/mcp';
  it('names an Inspector release that runs on Node 20, in forms that work as printed', () => {
    const b = httpBanner(url, { sandbox: true, bin: '/opt/campaign mcp/dist/campaign-mcp.js', pid: 42 });
    expect(INSPECTOR).toBe('@modelcontextprotocol/inspector@0.15.0');
    expect(b).toContain(`npx -y ${INSPECTOR} node "'/opt/campaign mcp/dist/campaign-mcp.js'" --sandbox`);
    expect(b).toContain(`npx -y ${INSPECTOR} --cli ${url} --method tools/list`);
    expect(b).not.toMatch(/inspector(?!@0\.15\.0)/);
    expect(b).toContain('kill 42, stops the server');
    // `npm run pack` only where the bin sits in a source checkout (scripts/ does not ship in the package).
    expect(b).not.toContain('npm run pack');
    expect(httpBanner(url, { sandbox: true, bin: join(process.cwd(), 'dist', 'campaign-mcp.js'), pid: 42 })).toContain('or npm run pack and open the .mcpb');
  });

  it('the web Inspector line survives its launcher: arguments joined with spaces, then split again by shell rules', () => {
    /** How a POSIX shell splits `line` into words (bash itself, standing in for the shell and for the Inspector's shell-quote). */
    const words = (line: string) => execFileSync('bash', ['-c', `printf '%s\\0' ${line}`]).toString().split('\0').slice(0, -1);
    for (const bin of ['/opt/campaign mcp/dist/campaign-mcp.js', "/Users/o'neil/My Apps/campaign-mcp.js", '/srv/plain/campaign-mcp.js']) {
      const launch = stdioLaunch(parseArgs(['--http', '--data-dir', '/Users/x/Library/Application Support/campaign-mcp']).flags, {}, '/');
      const line = httpBanner(url, { sandbox: false, bin, pid: 1, launch }).split('\n').find((l) => l.startsWith(`  npx -y ${INSPECTOR} `) && !l.includes('--cli'))!;
      const typed = words(line.trim()); // what the shell hands the launcher
      const server = typed.slice(typed.indexOf('node') + 1);
      // The launcher passes --args=<server args joined with spaces>; the Inspector's server splits them by shell rules.
      expect(words(server.join(' ')), bin).toEqual([bin, '--data-dir', '/Users/x/Library/Application Support/campaign-mcp']);
    }
  });

  it('the stdio forms start the same server: its flags (paths absolute) and the variables it reads, a secret never printed', async () => {
    const env = { CLEVERTAP_ACCOUNT_ID: 'W9R-5Z6-KK7Z', CLEVERTAP_PASSCODE: 'passcode-never-printed', CLEVERTAP_REGION: 'eu1', CAMPAIGN_MCP_MAX_RECIPIENTS: '5000', CAMPAIGN_MCP_HTTP_TOKEN: 'http-token-never-printed', HOME: '/home/x' };
    const flags = parseArgs(['--http', '--read-only', '--data-dir', 'state', '--port', '0']).flags;
    const launch = stdioLaunch(flags, env, '/srv/app');
    const b = httpBanner(url, { sandbox: false, bin: '/x/campaign-mcp.js', pid: 1, launch });
    expect(b).not.toContain('passcode-never-printed');
    expect(b).not.toContain('http-token-never-printed');
    const desktop = JSON.parse(b.split('\n').find((l) => l.includes('"command": '))!.trim()) as { mcpServers: { 'campaign-mcp': { command: string; args: string[]; env: Record<string, string> } } };
    const server = desktop.mcpServers['campaign-mcp'];
    // Node by its full path: Claude Desktop starts a server without the shell's PATH (nvm, Homebrew), where a bare "node" is not found.
    expect(server.command).toBe(process.execPath);
    expect(isAbsolute(server.command)).toBe(true);
    expect(server.args).toEqual(['/x/campaign-mcp.js', '--read-only', '--data-dir', '/srv/app/state']);
    expect(server.env).toEqual({ CLEVERTAP_ACCOUNT_ID: 'W9R-5Z6-KK7Z', CLEVERTAP_REGION: 'eu1', CAMPAIGN_MCP_MAX_RECIPIENTS: '5000', CLEVERTAP_PASSCODE: '<your CLEVERTAP_PASSCODE>' });
    expect(b).toContain('put your own CLEVERTAP_PASSCODE where it says <your ...>');
    expect(b).toContain(`npx -y ${INSPECTOR} -e CLEVERTAP_ACCOUNT_ID=W9R-5Z6-KK7Z -e CLEVERTAP_REGION=eu1 -e CAMPAIGN_MCP_MAX_RECIPIENTS=5000 -e CLEVERTAP_PASSCODE="$CLEVERTAP_PASSCODE" node /x/campaign-mcp.js --read-only --data-dir /srv/app/state`);
    // As a client would start it (with the secret filled in): read-only, so no write tool.
    const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-banner-'));
    try {
      const [, ...args] = server.args;
      const ran = await runMain(['tools', ...args.map((a) => (a === '/srv/app/state' ? dir : a))], { ...server.env, CLEVERTAP_PASSCODE: env.CLEVERTAP_PASSCODE, HOME: dir });
      expect(ran.code).toBe(0);
      expect(ran.out).toContain('list_campaigns(');
      expect(ran.out).not.toMatch(/create_campaign|send_to_users|set_campaign_status/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a --config path goes after `--` (the Inspector launcher takes --config as its own), a base URL with a password is a secret, XDG_STATE_HOME goes along', () => {
    const flags = parseArgs(['--http', '--config', 'accounts.json']).flags;
    const launch = stdioLaunch(flags, { CLEVERTAP_BASE_URL: 'https://proxy-user:proxy-pass@proxy.internal/ct', XDG_STATE_HOME: '/var/state' }, '/srv');
    expect(launch).toEqual({ args: ['--config', '/srv/accounts.json'], env: { XDG_STATE_HOME: '/var/state' }, secrets: ['CLEVERTAP_BASE_URL'] });
    const b = httpBanner(url, { sandbox: false, bin: '/x/c.js', pid: 1, launch });
    expect(b).not.toContain('proxy-pass');
    expect(b).toContain(`npx -y ${INSPECTOR} -e XDG_STATE_HOME=/var/state -e CLEVERTAP_BASE_URL="$CLEVERTAP_BASE_URL" -- node /x/c.js --config /srv/accounts.json`);
  });

  it('on the sandbox, no vendor variable (the simulators stand in) and --sandbox first', () => {
    const launch = stdioLaunch(parseArgs(['--sandbox', '--http']).flags, { CLEVERTAP_ACCOUNT_ID: 'A', CLEVERTAP_PASSCODE: 'p' });
    expect(launch).toEqual({ args: ['--sandbox'], env: {}, secrets: [] });
    expect(httpBanner(url, { sandbox: true, bin: '/x/c.js', pid: 1, launch })).toContain('"args": ["/x/c.js","--sandbox"] } } }');
  });

  it('in token mode carries the Authorization header for Claude Code and Cursor, without printing the token', () => {
    const b = httpBanner(url, { sandbox: false, token: 's3cret-token', bin: '/x/campaign-mcp.js', pid: 1 });
    expect(b).toContain(`claude mcp add --transport http campaign-mcp ${url} --header "Authorization: Bearer $CAMPAIGN_MCP_HTTP_TOKEN"`);
    expect(b).toContain('"headers": { "Authorization": "Bearer ${env:CAMPAIGN_MCP_HTTP_TOKEN}" }');
    expect(b).not.toContain('s3cret-token');
    expect(b).not.toContain('--cli'); // Inspector 0.15's CLI sends no headers
    expect(b).toContain('Claude Code (run where CAMPAIGN_MCP_HTTP_TOKEN is set: the shell puts the token in):');
  });
});
