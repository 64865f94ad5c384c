import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseArgs } from '../src/config.js';

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
  });
});
