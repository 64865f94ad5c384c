import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { callTool } from '../src/cli-call.js';
import { ConfigError, loadConfig, parseArgs } from '../src/config.js';
import { runMain, tempDirs } from './helpers/main-io.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { spawnBin } from './helpers/spawn.js';
import { stdioSession } from './helpers/mcpb.js';
import { fileURLToPath } from 'node:url';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('flags', () => {
  it('a boolean flag takes =true / =false, as an MCP Bundle host passes a setting', () => {
    expect(parseArgs(['--sandbox=false', '--read-only=true']).flags).toMatchObject({ sandbox: false, readOnly: true });
    expect(parseArgs(['--sandbox']).flags.sandbox).toBe(true);
    expect(() => parseArgs(['--sandbox=yes please'])).toThrow(ConfigError);
  });

  it('settings a bundle host leaves empty count as unset', () => {
    const env = { CLEVERTAP_ACCOUNT_ID: '', CLEVERTAP_PASSCODE: '', CLEVERTAP_REGION: '', CLEVERTAP_TIMEZONE: '', CAMPAIGN_MCP_READ_ONLY: 'false', CAMPAIGN_MCP_DATA_DIR: '', XDG_STATE_HOME: '/xdg' };
    const c = loadConfig(parseArgs(['--sandbox=false']).flags, env);
    expect(c).toMatchObject({ accounts: [], readOnly: false, sandbox: false });
    expect(c.writes.dataDir).toBe('/xdg/campaign-mcp');
    // From the environment it is given (in-process runs too), never only the process's own HOME.
    expect(loadConfig(parseArgs([]).flags, { HOME: '/home/someone' }).writes.dataDir).toBe('/home/someone/.local/state/campaign-mcp');
  });
});

describe('campaign-mcp --help and --version (spawned)', () => {
  it('--help names every command, every flag the parser takes and every variable the config reads', async () => {
    const p = spawnBin(['--help']);
    expect(await p.exited).toBe(0);
    const help = p.stdout();
    for (const cmd of ['tools', 'call <tool>', '--http']) expect(help).toContain(cmd);
    const src = (f: string) => readFileSync(new URL(`../src/${f}`, import.meta.url), 'utf8');
    const flagsParsed = [...src('config.ts').matchAll(/case '(--[a-z-]+)'/g)].map((m) => m[1]!);
    expect(flagsParsed.length).toBeGreaterThan(8);
    for (const f of flagsParsed) expect(help, f).toContain(f);
    const vars = new Set([...(src('config.ts') + src('config-writes.ts')).matchAll(/(?:'|env\.)((?:CLEVERTAP|MOENGAGE|BATCH|ALTCRAFT|CAMPAIGN_MCP)_[A-Z_]+|LOG_LEVEL)\b/g)].map((m) => m[1]));
    expect(vars.size).toBeGreaterThan(20);
    for (const v of [...vars, 'MOENGAGE_CREATED_BY']) expect(help, v).toContain(v);
    expect(p.stderr()).toBe('');
  });

  it('--version prints the package version, even with a broken environment', async () => {
    const p = spawnBin(['--version'], { CLEVERTAP_ACCOUNT_ID: 'only-half' });
    expect(await p.exited).toBe(0);
    expect(p.stdout().trim()).toBe(version);
  });
});

describe('npx campaign-mcp from a checkout (after a build)', () => {
  it('runs the package bin: npx campaign-mcp --sandbox answers over stdio', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'campaign-mcp-npx-'));
    try {
      // npm's update check (a registry request from a fresh HOME) is off: it is no part of what is tested, and offline it only waits.
      const env = { PATH: process.env.PATH ?? '', HOME: dataDir, npm_config_update_notifier: 'false' };
      const s = await stdioSession('npx', ['--no-install', 'campaign-mcp', '--sandbox', '--data-dir', dataDir], { cwd, env, answerMs: 50_000 }, [{ method: 'tools/list' }]);
      expect(s.results[0]!.result.tools.map((t: { name: string }) => t.name)).toContain('list_campaigns');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('campaign-mcp call and tools from the terminal (in-process: main() with its own io)', () => {
  const dirs = tempDirs('campaign-mcp-cli-');
  afterAll(() => dirs.remove());
  const callIn = (dataDir: string, ...argv: string[]) => runMain(['call', ...argv, '--sandbox', '--data-dir', dataDir]);

  it('a cursor printed by one run, given to the next, continues where it stopped; --all prints every page', async () => {
    // Each run starts its own sandbox, seeded from the start of the hour: the three must see one hour's data, so
    // when an hour turns during them (a cursor's last campaign is then an hour off in the next run's data), run again.
    for (;;) {
      const hour = Math.floor(Date.now() / 3_600_000);
      const runs = await cursorRuns();
      if (Math.floor(Date.now() / 3_600_000) === hour) return runs.check();
    }
  });

  async function cursorRuns() {
    const dataDir = dirs.make();
    const lines = (out: string) => out.split('\n').filter((l) => /^(clevertap|moengage|batch|altcraft)(\/\S+)? \S+ "/.test(l));
    const first = await callIn(dataDir, 'list_campaigns', '{"limit":5}');
    expect(first.code).toBe(0);
    const cursor = first.out.match(/cursor="([^"]+)"/)![1]!;
    expect(first.err).toMatch(/give the cursor to the next call, or add --all/);
    const total = Number(first.out.match(/5 of (\d+) campaigns/)![1]);
    // A new process: the first one's listing is gone, so it lists again and goes on after the last campaign shown.
    const second = await callIn(dataDir, 'list_campaigns', JSON.stringify({ limit: 5, cursor }));
    const all = await callIn(dataDir, 'list_campaigns', '{"limit":100}', '--all');
    return {
      check() {
        expect(second.code, second.err).toBe(0);
        expect(all.code).toBe(0);
        expect(all.out).toContain(`${total} of ${total} campaigns`);
        expect(lines(all.out)).toHaveLength(total);
        // Within one hour the runs list the same campaigns at the same times: whole lines compare.
        expect([...lines(first.out), ...lines(second.out)]).toEqual(lines(all.out).slice(0, 10));
        expect(all.out).not.toMatch(/cursor=/);
        expect(all.err).toBe('');
      },
    };
  }

  it('a sandbox write previewed by one run is confirmed by the next; journal and secret are in the data directory given', async () => {
    const dataDir = dirs.make();
    const args = { vendor: 'batch', name: 'CLI test', channel: 'push', audience: { all_users: true }, content: { title: 'Hi', body: 'Sale' } };
    const preview = await callIn(dataDir, 'create_campaign', JSON.stringify(args));
    expect(preview.code, preview.err).toBe(0);
    const token = preview.out.match(/confirm="([^"]+)"/);
    expect(token, preview.out).toBeTruthy();
    const done = await callIn(dataDir, 'create_campaign', JSON.stringify({ ...args, confirm: token![1] }));
    expect(done.code, done.err + done.out).toBe(0);
    expect(done.out).toMatch(/SUCCEEDED/);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['journal.jsonl', 'secret']));
    expect(statSync(join(dataDir, 'secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'journal.jsonl'), 'utf8')).toMatch(/CLI test|create_campaign/);
  });

  it('on real accounts, a token confirms in a later run on the same project, and never on another project under the same label', async () => {
    // "staging" and "prod": two CleverTap projects, each the account "default" of its own server entry, one data directory.
    const staging = await startCleverTapSim({ credentials: { accountId: 'STAGING-1', passcode: 'staging-passcode' } });
    const prod = await startCleverTapSim({ credentials: { accountId: 'PROD-1', passcode: 'prod-passcode' } });
    try {
      const dataDir = dirs.make();
      const env = (sim: CleverTapSim) => ({ CLEVERTAP_ACCOUNT_ID: sim.credentials.accountId, CLEVERTAP_PASSCODE: sim.credentials.passcode, CLEVERTAP_BASE_URL: sim.url });
      const run = (sim: CleverTapSim, args: object) => runMain(['call', 'send_to_users', JSON.stringify(args), '--data-dir', dataDir], env(sim));
      const args = { vendor: 'clevertap', channel: 'push', recipients: { ids: ['u1', 'u2'], id_type: 'identity' }, content: { title: 'Hi', body: 'Sale' } };
      const token = (await run(staging, args)).out.match(/confirm="([^"]+)"/)?.[1];
      expect(token).toBeTruthy();
      const crossed = await run(prod, { ...args, confirm: token });
      expect(crossed.code).not.toBe(0);
      expect(crossed.out + crossed.err).toMatch(/previewed on another clevertap project than the one the account "default" reaches now/);
      expect(prod.writes.counts.sends + staging.writes.counts.sends).toBe(0);
      const done = await run(staging, { ...args, confirm: token });
      expect(done.out, done.err).toMatch(/SUCCEEDED: 2 of 2 accepted/);
      expect(staging.writes.counts.sends).toBe(1);
      expect(prod.writes.counts.sends).toBe(0);
    } finally {
      await staging.close();
      await prod.close();
    }
  });

  it('on the sandbox, list_vendors names the campaign_id a MoEngage send goes through, and a send through it succeeds', async () => {
    const dataDir = dirs.make();
    const vendors = await callIn(dataDir, 'list_vendors', '{}');
    const alert = vendors.out.match(/moengage\/default:.*needs campaign_id \(on the sandbox: "([0-9a-f]+)"/)?.[1];
    expect(alert, vendors.out).toBeTruthy();
    expect(vendors.out).toMatch(/altcraft\/default:.*needs campaign_id \(on the sandbox: "mailing-\d+"/);
    const args = { vendor: 'moengage', channel: 'email', recipients: { ids: ['ann@example.com'], id_type: 'email' }, content: { subject: 'Hi', body: 'Your order' }, campaign_id: alert };
    const preview = await callIn(dataDir, 'send_to_users', JSON.stringify(args));
    const token = preview.out.match(/confirm="([^"]+)"/)?.[1];
    expect(token, preview.out + preview.err).toBeTruthy();
    const done = await callIn(dataDir, 'send_to_users', JSON.stringify({ ...args, confirm: token }));
    expect(done.out, done.err).toMatch(/SUCCEEDED/);
  });

  it('a terminal call logs at --log-level (or LOG_LEVEL) when given, else warnings only, on stderr', async () => {
    const dataDir = dirs.make();
    const quiet = await callIn(dataDir, 'list_campaigns', '{"vendor":"batch"}');
    expect(quiet.err).not.toMatch(/vendor request/);
    const loud = await callIn(dataDir, 'list_campaigns', '{"vendor":"batch"}', '--log-level', 'debug');
    expect(loud.code, loud.err).toBe(0);
    expect(loud.err).toMatch(/"msg":"vendor request"/);
    expect(loud.out).not.toMatch(/vendor request/);
    const byEnv = await runMain(['call', 'list_campaigns', '{"vendor":"batch"}', '--sandbox', '--data-dir', dataDir], { LOG_LEVEL: 'debug' });
    expect(byEnv.err).toMatch(/"msg":"vendor request"/);
  });

  it('a call piped into a reader that stops early (head) ends quietly, exit 0, no EPIPE trace', async () => {
    // The reader gone before the first line is written: every write of the call meets a closed pipe.
    const p = spawnBin(['call', 'list_campaigns', '{}', '--all', '--sandbox', '--data-dir', dirs.make()]);
    p.proc.stdout.destroy();
    expect(await p.exited).toBe(0);
    expect(p.stderr()).not.toMatch(/EPIPE|Unhandled/);
  });

  it('a port in use says how to pass another, the npm start way under npm start', async () => {
    const { createServer: listen } = await import('node:net');
    const busy = listen();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as { port: number }).port);
    try {
      for (const [env, hint] of [[{}, 'pass --port <n>'], [{ npm_lifecycle_event: 'start' }, 'run npm start -- --port <n>']] as const) {
        const p = spawnBin(['--http', '--port', port, '--sandbox', '--data-dir', dirs.make()], env);
        expect(await p.exited).toBe(2);
        expect(p.stderr()).toContain(`port ${port} on 127.0.0.1 is in use; ${hint} (0 picks a free one)`);
      }
    } finally {
      busy.close();
    }
  });

  it('unknown arguments and tools are refused with the known ones', async () => {
    const dataDir = dirs.make();
    const bad = await callIn(dataDir, 'list_campaigns', '{"vendr":"batch"}');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('list_campaigns has no argument "vendr"; its arguments: vendor?, ');
    const typo = await callIn(dataDir, 'list_campaign', '{}');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown tool "list_campaign"; the tools here: list_vendors, list_campaigns/);
    const noCursor = await callIn(dataDir, 'list_vendors', '{}', '--all');
    expect(noCursor.code).toBe(2);
    expect(noCursor.err).toMatch(/list_vendors takes no cursor/);
    for (const r of [bad, typo, noCursor]) expect(r.out).toBe('');
  });

  it('tools prints one line per tool with its arguments, on stdout only', async () => {
    const r = await runMain(['tools', '--sandbox', '--data-dir', dirs.make()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^list_vendors\(\)\n {2}\S/);
    expect(r.out).toMatch(/^list_campaigns\(vendor\?, account\?, .*cursor\?\)$/m);
    expect(r.err).toBe('');
  });

  it('a cursor verifies in a later run on the same data directory (its key) and pages on, and another data directory refuses it', async () => {
    const dataDir = dirs.make();
    const first = await callIn(dataDir, 'list_campaigns', '{"limit":4,"vendor":"batch"}');
    const cursor = first.out.match(/cursor="([^"]+)"/)![1]!;
    const same = await callIn(dataDir, 'list_campaigns', JSON.stringify({ limit: 4, vendor: 'batch', cursor }));
    expect(same.code, same.err).toBe(0);
    expect(same.out).toMatch(/^\[sandbox data\] 4 of \d+ campaigns/);
    // Every run here shares one process: the key is the app's (its data directory's), never one per process.
    const elsewhere = await callIn(dirs.make(), 'list_campaigns', JSON.stringify({ limit: 4, vendor: 'batch', cursor }));
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toContain('cursor is not one this server issued (or it was altered); drop it to start from the first page');
  });

  it('its warnings go to the stderr it was given, and never carry a credential', async () => {
    const r = await callIn(dirs.make(), 'list_vendors', '{}');
    expect(r.err).toBe('');
    const warned = await runMain(['call', 'list_vendors', '{}', '--sandbox', '--data-dir', dirs.make()], { CLEVERTAP_ACCOUNT_ID: 'ACC-1', CLEVERTAP_PASSCODE: 'pc-unique-1234' });
    expect(warned.code).toBe(0);
    expect(warned.err).toContain('configured vendor credentials are ignored');
    expect(warned.err + warned.out).not.toContain('pc-unique-1234');
  });

  it('a misconfiguration is refused on its stderr with exit 2, from the environment it was given', async () => {
    const r = await runMain(['call', 'list_vendors', '{}', '--data-dir', dirs.make()], { CLEVERTAP_ACCOUNT_ID: 'only-half' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^campaign-mcp: CLEVERTAP_PASSCODE is not set/);
    expect(r.out).toBe('');
  });
});

describe('progress of a long call', () => {
  const slowServer = () => {
    const server = new McpServer({ name: 'slow', version: '1' }, { capabilities: { tools: {} } });
    server.registerTool('slow_send', { description: 'reports progress', inputSchema: z.object({}) }, async (_args, extra) => {
      const token = extra.mcpReq._meta?.progressToken;
      for (let i = 1; i <= 3; i++) {
        if (token !== undefined) await extra.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: 3, message: `batch ${i} of 3` } });
      }
      return { content: [{ type: 'text', text: 'sent' }] };
    });
    return server;
  };
  const sink = () => {
    let text = '';
    return { stream: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
  };

  it('is printed on stderr once the call outlasts the threshold, never on stdout', async () => {
    const out = sink();
    const err = sink();
    expect(await callTool(slowServer(), 'slow_send', '{}', out.stream, err.stream, { progressAfterMs: 0 })).toBe(0);
    expect(err.text()).toBe('campaign-mcp: 1/3 batch 1 of 3\ncampaign-mcp: 2/3 batch 2 of 3\ncampaign-mcp: 3/3 batch 3 of 3\n');
    expect(out.text()).toBe('sent\n');
  });

  it('stays quiet for a call that ends within a moment', async () => {
    const err = sink();
    await callTool(slowServer(), 'slow_send', '{}', sink().stream, err.stream, { progressAfterMs: 60_000 });
    expect(err.text()).toBe('');
  });
});
