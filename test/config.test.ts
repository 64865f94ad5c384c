import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseArgs } from '../src/config.js';

const flags = (argv: string[]) => parseArgs(argv).flags;
const dirs: string[] = [];
/** A temporary directory removed after the file's tests. */
const tempDir = () => (dirs.push(mkdtempSync(join(tmpdir(), 'cmcp-'))), dirs[dirs.length - 1]!);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('config', () => {
  it('enables a vendor when its credentials are present', () => {
    const c = loadConfig(flags([]), { CLEVERTAP_ACCOUNT_ID: 'ABC', CLEVERTAP_PASSCODE: 'secret-pass', CLEVERTAP_REGION: 'in1' });
    expect(c.accounts).toEqual([{ vendor: 'clevertap', name: 'default', accountId: 'ABC', passcode: 'secret-pass', region: 'in1' }]);
    expect(c.transport).toBe('stdio');
    expect(c.host).toBe('127.0.0.1');
  });

  it('--host [::1], an IPv6 address as a URL writes it, binds ::1', () => {
    expect(loadConfig(flags(['--http', '--host', '[::1]']), {}).host).toBe('::1');
    expect(loadConfig(flags(['--http', '--host', '::1']), {}).host).toBe('::1');
  });

  it('names the missing variable when credentials are partial', () => {
    expect(() => loadConfig(flags([]), { MOENGAGE_WORKSPACE_ID: 'W' })).toThrow(/MOENGAGE_API_KEY is not set/);
  });

  it('names the variable with a bad value', () => {
    expect(() => loadConfig(flags([]), { CLEVERTAP_ACCOUNT_ID: 'A', CLEVERTAP_PASSCODE: 'P', CLEVERTAP_REGION: 'mars' })).toThrow(/CLEVERTAP_REGION must be one of/);
    expect(() => loadConfig(flags([]), { ALTCRAFT_API_TOKEN: 'tok', ALTCRAFT_BASE_URL: 'not a url' })).toThrow(/ALTCRAFT_BASE_URL must be an http/);
  });

  it('refuses a credential left as an example placeholder, or one a header cannot carry, naming the variable but never the value', () => {
    for (const placeholder of ['…', '...', '<your account id>', 'YOUR_API_KEY', '${user_config.clevertap_passcode}', 'xxxx', 'changeme']) {
      expect(() => loadConfig(flags([]), { CLEVERTAP_ACCOUNT_ID: 'ABC', CLEVERTAP_PASSCODE: placeholder }), placeholder).toThrow(/CLEVERTAP_PASSCODE looks like a placeholder/);
    }
    const err = (() => { try { loadConfig(flags([]), { BATCH_API_KEY: 'app', BATCH_REST_API_KEY: 'rést-Sécret' }); } catch (e) { return e as Error; } })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/BATCH_REST_API_KEY must be printable ASCII/);
    expect(err!.message).not.toContain('Sécret');
    // Real credentials pass, quotes, backslashes and spaces included (a header carries them).
    expect(loadConfig(flags([]), { ALTCRAFT_API_TOKEN: 'alt\\tok"en SECRET 5' }).accounts).toHaveLength(1);
    expect(loadConfig(flags([]), { MOENGAGE_WORKSPACE_ID: 'XYZ123', MOENGAGE_API_KEY: 'your-team-2024' }).accounts).toHaveLength(1);
  });

  it('checks the log level where it is set, so a typo or an empty LOG_LEVEL is a friendly start error, not a pino throw', () => {
    expect(loadConfig(flags([]), {}).logLevel).toBe('info');
    expect(loadConfig(flags([]), { LOG_LEVEL: '' }).logLevel).toBe('info');
    expect(loadConfig(flags([]), { LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig(flags(['--log-level', 'warn']), { LOG_LEVEL: 'bogus' }).logLevel).toBe('warn');
    expect(() => loadConfig(flags([]), { LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig(flags([]), { LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of trace, debug, info, warn, error/);
    expect(() => loadConfig(flags(['--log-level', 'loud']), {})).toThrow(/--log-level must be one of/);
  });

  it('normalizes MoEngage data centers', () => {
    const c = loadConfig(flags([]), { MOENGAGE_WORKSPACE_ID: 'W', MOENGAGE_API_KEY: 'K', MOENGAGE_DATA_CENTER: 'dc-2' });
    expect(c.accounts[0]).toMatchObject({ dataCenter: '02' });
  });

  it('reads several accounts per vendor from --config', () => {
    const dir = tempDir();
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ accounts: [
      { vendor: 'clevertap', name: 'india', accountId: 'A1', passcode: 'p1', region: 'in1' },
      { vendor: 'clevertap', name: 'us', accountId: 'A2', passcode: 'p2', region: 'us1' },
    ] }));
    const c = loadConfig(flags(['--config', file]), {});
    expect(c.accounts.map((a) => a.name)).toEqual(['india', 'us']);
    writeFileSync(file, JSON.stringify({ accounts: [{ vendor: 'clevertap', name: 'x', accountId: 'A' }] }));
    expect(() => loadConfig(flags(['--config', file]), {})).toThrow(/accounts\.0\.passcode/);
    writeFileSync(file, '{nope');
    expect(() => loadConfig(flags(['--config', file]), {})).toThrow(/not valid JSON/);
  });

  it('refuses a misspelt key in a --config account, naming the keys it takes, rather than silently using the default', () => {
    const file = join(tempDir(), 'c.json');
    // `timeZone` ignored would read every schedule in UTC; `baseURL` ignored would send to the vendor's public host.
    writeFileSync(file, JSON.stringify({ accounts: [{ vendor: 'clevertap', name: 'india', accountId: 'A1', passcode: 'p1', timeZone: 'Asia/Kolkata' }] }));
    expect(() => loadConfig(flags(['--config', file]), {})).toThrow(ConfigError);
    expect(() => loadConfig(flags(['--config', file]), {}))
      .toThrow('accounts.0 (clevertap "india") has no "timeZone"; it takes vendor, name, accountId, passcode, region, baseUrl, timezone');
    writeFileSync(file, JSON.stringify({ accounts: [{ vendor: 'altcraft', name: 'onprem', token: 't0ken', baseURL: 'https://altcraft.example.com' }] }));
    expect(() => loadConfig(flags(['--config', file]), {})).toThrow(/has no "baseURL"; it takes vendor, name, token, baseUrl, timezone/);
  });

  it('parses flags, commands and read-only', () => {
    const p = parseArgs(['call', 'list_campaigns', '{"vendor":"batch"}', '--sandbox', '--port=0']);
    expect(p).toMatchObject({ command: 'call', toolName: 'list_campaigns', toolArgs: '{"vendor":"batch"}', flags: { sandbox: true, port: 0 } });
    expect(loadConfig(flags([]), { CAMPAIGN_MCP_READ_ONLY: 'true' }).readOnly).toBe(true);
    expect(() => parseArgs(['--bogus'])).toThrow(ConfigError);
    expect(() => parseArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => loadConfig(flags([]), { CAMPAIGN_MCP_READ_ONLY: 'maybe' })).toThrow(/CAMPAIGN_MCP_READ_ONLY/);
  });
});

describe('CAMPAIGN_MCP_SECRET', () => {
  it('a short signing key is refused at start, saying how long it is and never what it is', () => {
    const err = (() => {
      try {
        loadConfig(flags([]), { CAMPAIGN_MCP_SECRET: 'short-key' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toBe('CAMPAIGN_MCP_SECRET is 9 characters; use at least 16 random ones (e.g. openssl rand -hex 32), or unset it to have one generated');
    expect(loadConfig(flags([]), { CAMPAIGN_MCP_SECRET: 'sixteen-chars-ok' }).writes.secret).toBe('sixteen-chars-ok');
  });
});
