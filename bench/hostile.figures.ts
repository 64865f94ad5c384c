import { it } from 'vitest';
import { startCleverTapSim } from '../src/sandbox/clevertap.js';
import { startMoEngageSim } from '../src/sandbox/moengage.js';
import { startAltcraftSim } from '../src/sandbox/altcraft.js';
import { startSandbox } from '../src/sandbox/index.js';
import { connectInProcess } from '../test/helpers/client.js';
import { HttpClient } from '../src/http.js';
import { createServer } from '../src/server.js';
import { EmbeddedStore } from '../src/store.js';
import type { ToolContext } from '../src/tool.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { startHostileVendor, type HostileMode } from '../test/helpers/hostile.js';
import { startSession } from '../test/helpers/rpc.js';

/** The issue 11 figures at the default limits (45 s deadline, 16 MB body cap): slow on purpose, run by `npm run bench:hostile`. */
async function withHostile(mode: HostileMode, env: Record<string, string>, fn: (s: Awaited<ReturnType<typeof startSession>>, h: Awaited<ReturnType<typeof startHostileVendor>>) => Promise<void>) {
  const [ct, moe, alt, h] = await Promise.all([startCleverTapSim(), startMoEngageSim(), startAltcraftSim(), startHostileVendor(mode)]);
  const s = await startSession([], {
    CLEVERTAP_ACCOUNT_ID: ct.credentials.accountId, CLEVERTAP_PASSCODE: ct.credentials.passcode, CLEVERTAP_BASE_URL: ct.url,
    MOENGAGE_WORKSPACE_ID: moe.credentials.workspaceId, MOENGAGE_API_KEY: moe.credentials.apiKey, MOENGAGE_BASE_URL: moe.url,
    ALTCRAFT_API_TOKEN: alt.credentials.token, ALTCRAFT_BASE_URL: alt.url,
    BATCH_API_KEY: 'HOSTILEAPPKEY1', BATCH_REST_API_KEY: 'hostile-rest-key-1', BATCH_BASE_URL: h.url, ...env,
  });
  try {
    await fn(s, h);
  } finally {
    await s.stop();
    await Promise.all([ct, moe, alt, h].map((x) => x.close()));
  }
}
const errorsOf = (a: { result: { structuredContent?: Record<string, any>; content: Array<{ text: string }> } }) =>
  JSON.stringify(a.result.structuredContent?.errors ?? a.result.content[0]!.text).slice(0, 300);

it('50 MB bodies: 25 all-vendor listings', async () => {
  await withHostile('huge', {}, async (s) => {
    for (let i = 0; i < 25; i++) await s.call('list_campaigns', { limit: 5 }, 60_000);
    console.log(`FIGURE 50MB bodies: peak RSS over 25 all-vendor listings ${s.peakRssMb().toFixed(0)} MB`);
  });
}, 600_000);

it('endless body', async () => {
  await withHostile('endless', {}, async (s, h) => {
    const a = await s.call('list_campaigns', { limit: 5 }, 60_000);
    console.log(`FIGURE endless body: ${Math.round(a.ms)} ms, peak RSS ${s.peakRssMb().toFixed(0)} MB, bytes the vendor wrote ${(h.written / 1e6).toFixed(0)} MB; ${errorsOf(a)}`);
  });
}, 600_000);

it('silent vendor, then Retry-After: 999999 and recovery', async () => {
  await withHostile('silent', {}, async (s, h) => {
    const a = await s.call('list_campaigns', { limit: 5 }, 60_000);
    console.log(`FIGURE silent vendor: listing answered in ${(a.ms / 1000).toFixed(1)} s; ${errorsOf(a)}`);
    h.mode = 'retry-after';
    const b = await s.call('list_campaigns', { vendor: 'batch' }, 60_000);
    h.mode = 'ok';
    const c = await s.call('list_campaigns', { vendor: 'batch' }, 60_000);
    console.log(`FIGURE Retry-After 999999: that call ${(b.ms / 1000).toFixed(1)} s; next call once recovered ${(c.ms / 1000).toFixed(1)} s, isError=${!!c.result.isError}`);
  });
}, 600_000);

it('absurd CleverTap ranges', async () => {
  const sb = await startSandbox();
  const http = new HttpClient();
  const ctx: ToolContext = { adapters: createAdapters(sb.accounts, http), sandbox: true, store: new EmbeddedStore(), now: () => new Date() };
  const client = await connectInProcess(createServer(ctx, allTools, { readOnly: true }));
  try {
    for (const [from, to] of [['0001-01-01', undefined], [undefined, '9999-12-31'], ['1970-01-01', '2199-12-31']] as const) {
      const n = sb.sims.clevertap.requests.length;
      const t0 = performance.now();
      const a = await client.callTool({ name: 'get_campaign', arguments: { vendor: 'clevertap', id: '123', ...(from ? { from } : {}), ...(to ? { to } : {}) } }, { timeout: 120_000 });
      const text = (a.content as Array<{ text: string }>)[0]!.text;
      console.log(`FIGURE CleverTap get_campaign from=${from} to=${to}: ${sb.sims.clevertap.requests.length - n} vendor requests, ${((performance.now() - t0) / 1000).toFixed(1)} s, "${text.slice(0, 140)}"`);
    }
  } finally {
    await client.close();
    await http.close();
    await sb.close();
  }
}, 600_000);
