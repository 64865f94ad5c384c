import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import { startBatchSim, type BatchSim } from '../src/sandbox/batch.js';
import { startAltcraftSim, type AltcraftSim } from '../src/sandbox/altcraft.js';
import { spawnBin } from './helpers/spawn.js';

const REAL = {
  ct: 'ct-pass-SECRET-9f8e7d', moe: 'moe-key-SECRET-77aa', batchApp: 'BATCHAPPKEYSECRET55', batchRest: 'batch-rest-SECRET-66bb', alt: 'alt-token-SECRET-44cc',
};
const WRONG = { ct: 'ct-WRONG-pass-1234', moe: 'moe-WRONG-key-5678', batchApp: 'BATCHWRONGAPPKEY999', batchRest: 'batch-WRONG-rest-000', alt: 'alt-WRONG-token-111' };

let sims: [CleverTapSim, MoEngageSim, BatchSim, AltcraftSim];
beforeAll(async () => {
  sims = await Promise.all([
    startCleverTapSim({ credentials: { accountId: 'ACC-TEST-1', passcode: REAL.ct } }),
    startMoEngageSim({ credentials: { workspaceId: 'WSTEST1', apiKey: REAL.moe } }),
    startBatchSim({ credentials: { apiKey: REAL.batchApp, restApiKey: REAL.batchRest } }),
    startAltcraftSim({ credentials: { token: REAL.alt } }),
  ]);
});
afterAll(async () => Promise.all(sims.map((s) => s.close())));

function env(s: typeof REAL): Record<string, string> {
  const [ct, moe, batch, alt] = sims;
  return {
    LOG_LEVEL: 'debug',
    CLEVERTAP_ACCOUNT_ID: 'ACC-TEST-1', CLEVERTAP_PASSCODE: s.ct, CLEVERTAP_BASE_URL: ct.url,
    MOENGAGE_WORKSPACE_ID: 'WSTEST1', MOENGAGE_API_KEY: s.moe, MOENGAGE_BASE_URL: moe.url,
    BATCH_API_KEY: s.batchApp, BATCH_REST_API_KEY: s.batchRest, BATCH_BASE_URL: batch.url,
    ALTCRAFT_API_TOKEN: s.alt, ALTCRAFT_BASE_URL: alt.url,
  };
}

const CALLS: Array<[string, Record<string, unknown>]> = [
  ['list_vendors', {}],
  ['list_campaigns', { limit: 50 }],
  ['search_campaigns', { query: 'sale' }],
  ['get_campaign', { vendor: 'clevertap', id: '1', raw: true }],
  ['get_campaign', { vendor: 'moengage', id: 'nope', raw: true }],
  ['get_campaign', { vendor: 'batch', id: 'nope', raw: true }],
  ['get_campaign', { vendor: 'altcraft', id: 'mailing-999999', raw: true }],
  ['get_campaign_report', { vendor: 'batch', id: 'nope' }],
  ['estimate_reach', { vendor: 'clevertap', channel: 'push', audience: { all_users: true } }],
];

async function runAll(secrets: typeof REAL) {
  const p = spawnBin([], env(secrets));
  const send = (msg: object) => p.proc.stdin.write(`${JSON.stringify(msg)}\n`);
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 's', version: '1' } } });
  await p.waitFor(/"id":0/);
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  for (const [i, [name, args]] of CALLS.entries()) {
    send({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name, arguments: args } });
    await p.waitFor(new RegExp(`"id":${i + 1}\\b`), 'stdout', 30_000);
  }
  p.proc.stdin.end();
  await p.exited;
  return { out: p.stdout(), err: p.stderr() };
}

function expectNoSecret(text: string, s: typeof REAL) {
  const basic = Buffer.from(`WSTEST1:${s.moe}`).toString('base64');
  for (const secret of [...Object.values(s), basic]) expect(text, `leaked ${secret.slice(0, 6)}…`).not.toContain(secret);
}

describe('credentials never leak', () => {
  it('in results, errors or logs of a working configuration (debug logging)', async () => {
    const { out, err } = await runAll(REAL);
    expect(out).toContain('"total"');
    expect(err).toContain('vendor request');
    expectNoSecret(out + err, REAL);
  });

  it('with wrong credentials: an authentication error per vendor, never an empty success, no secret', async () => {
    const { out, err } = await runAll(WRONG);
    const listing = out.split('\n').find((l) => l.includes('"id":2,') || l.includes('"id":2}'))!;
    const parsed = JSON.parse(listing) as { result: { isError?: boolean; content: Array<{ text: string }> } };
    expect(parsed.result.isError).toBe(true);
    const text = parsed.result.content[0]!.text;
    for (const v of ['clevertap', 'moengage', 'batch', 'altcraft']) expect(text).toMatch(new RegExp(`${v}: [^]*?(401|auth|credential|token)`, 'i'));
    expectNoSecret(out + err, WRONG);
  });
});
