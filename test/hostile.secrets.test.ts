import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import { startBatchSim, type BatchSim } from '../src/sandbox/batch.js';
import { startAltcraftSim, type AltcraftSim } from '../src/sandbox/altcraft.js';
import { startHostileVendor, type HostileVendor } from './helpers/hostile.js';
import { startSession } from './helpers/rpc.js';

/** Credentials with the characters JSON and URLs escape: `"` and `\` (and a space, a slash, a percent). */
const S = {
  ct: 'ct"pa\\ss SECRET/1%',
  moe: 'moe\\"key"SECRET\\2',
  batchApp: 'BATCH"APP\\KEY3',
  batchRest: 'rest "\\" SECRET 4',
  alt: 'alt\\tok"en SECRET 5',
  echo: 'echo"rest\\SECRET 6',
};

/** Every encoded form a secret could take in output: raw, JSON-escaped (once, twice), URL-encoded, Basic. */
function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [secret, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')];
}

let dir: string;
let sims: [CleverTapSim, MoEngageSim, BatchSim, AltcraftSim, HostileVendor];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmcp-secrets-'));
  sims = await Promise.all([
    startCleverTapSim({ credentials: { accountId: 'ACC-1', passcode: S.ct } }),
    startMoEngageSim({ credentials: { workspaceId: 'WS1', apiKey: S.moe } }),
    startBatchSim({ credentials: { apiKey: S.batchApp, restApiKey: S.batchRest } }),
    startAltcraftSim({ credentials: { token: S.alt } }),
    startHostileVendor('echo'),
  ]);
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets with " and \\ never leak, in any encoding', () => {
  it('not in results (text or structured), errors or debug logs, working or echoed back by a vendor', async () => {
    const [ct, moe, batch, alt, echo] = sims;
    const file = join(dir, 'accounts.json');
    writeFileSync(file, JSON.stringify({ accounts: [
      { vendor: 'clevertap', name: 'main', accountId: 'ACC-1', passcode: S.ct, baseUrl: ct.url },
      { vendor: 'moengage', name: 'main', workspaceId: 'WS1', apiKey: S.moe, baseUrl: moe.url },
      { vendor: 'batch', name: 'main', apiKey: S.batchApp, restApiKey: S.batchRest, baseUrl: batch.url },
      { vendor: 'batch', name: 'echo', apiKey: 'ECHOAPPKEY7', restApiKey: S.echo, baseUrl: echo.url },
      { vendor: 'altcraft', name: 'main', token: S.alt, baseUrl: alt.url },
    ] }));
    const s = await startSession(['--config', file], { LOG_LEVEL: 'debug', CAMPAIGN_MCP_LIST_CACHE_S: '0' });
    const answers = [];
    for (const [name, args] of [
      ['list_vendors', {}], ['list_campaigns', { limit: 20 }], ['search_campaigns', { query: 'sale' }],
      ['get_campaign', { vendor: 'batch', account: 'echo', id: 'nope', raw: true }],
      ['get_campaign', { vendor: 'batch', account: 'echo', id: 't00000001', raw: true }],
      ['get_campaign', { vendor: 'altcraft', id: 'mailing-999999', raw: true }],
      ['get_campaign', { vendor: 'moengage', id: 'nope', raw: true }],
    ] as const) answers.push(await s.call(name, args));
    await s.stop();
    const listing = answers[1]!.result.structuredContent!;
    expect(listing.total).toBeGreaterThan(100); // the credentials worked
    expect(listing.errors.map((e: { account: string }) => e.account)).toEqual(['echo']);
    expect(s.bin.stderr()).toContain('vendor request');
    expect(answers[4]!.result.structuredContent!.campaign.name).toBe('Echo [redacted]');
    const output = s.bin.stdout() + s.bin.stderr();
    const basic = Buffer.from(`WS1:${S.moe}`).toString('base64');
    const leaks = [...Object.values(S).flatMap(forms), basic].filter((f) => output.includes(f));
    expect(leaks).toEqual([]);
    expect(output).toContain('[redacted]');
  });
});
