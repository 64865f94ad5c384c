import { countTokens } from 'gpt-tokenizer';
import { EmbeddedStore } from '../src/store.js';
import type { Client } from '@modelcontextprotocol/client';
import { connectInProcess } from '../test/helpers/client.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { startBatchSim } from '../src/sandbox/batch.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import type { VendorAdapter } from '../src/vendors/vendor.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from '../src/tool.js';
import { coldStart } from './cold-start.js';
import { largeSend } from './send.js';
import { median, r } from './stats.js';

const VENDORS = ['clevertap', 'moengage', 'batch', 'altcraft'] as const;

async function connect(adapters: VendorAdapter[]): Promise<{ client: Client; ctx: ToolContext }> {
  const ctx: ToolContext = { adapters, sandbox: false, store: new EmbeddedStore(), now: () => new Date() };
  return { client: await connectInProcess(createServer(ctx, allTools, { readOnly: false })), ctx };
}
const textOf = (res: any) => (res.content as Array<{ text: string }>).map((c) => c.text).join('\n');

/** Overhead of one tool call over the single vendor request it makes, against an unthrottled simulator. */
async function overhead(http: HttpClient, iterations = 300) {
  const sim = await startBatchSim({ rateLimit: false });
  const [batch] = createAdapters([{ vendor: 'batch', name: 'default', ...sim.credentials, baseUrl: sim.url }], http);
  const { client } = await connect([batch!]);
  try {
    return await measureOverhead(batch!, client, iterations);
  } finally {
    await client.close();
    await sim.close();
  }
}

async function measureOverhead(batch: VendorAdapter, client: Client, iterations: number) {
  const id = (await batch.listCampaigns({})).campaigns[0]!.id;
  const direct: number[] = [];
  const viaTool: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let t = performance.now();
    await batch.getCampaign(id, {});
    direct.push(performance.now() - t);
    t = performance.now();
    const res = await client.callTool({ name: 'get_campaign', arguments: { vendor: 'batch', id } });
    if (res.isError) throw new Error(textOf(res));
    viaTool.push(performance.now() - t);
  }
  return { direct: median(direct), tool: median(viaTool), overhead: median(viaTool) - median(direct) };
}

async function tokens(client: Client, sandbox: Sandbox) {
  const all = await client.callTool({ name: 'list_campaigns', arguments: { limit: 100 } });
  const s = all.structuredContent as { campaigns: unknown[] };
  const n = s.campaigns.length;
  const moe = await client.callTool({ name: 'list_campaigns', arguments: { vendor: 'moengage', channel: 'email', limit: 40 } });
  const ms = moe.structuredContent as { campaigns: Array<{ id: string }> };
  const ids = new Set(ms.campaigns.map((c) => c.id));
  const raw = await rawMoEngage(sandbox, ids);
  return {
    all: { n, text: countTokens(textOf(all)) / n, structured: countTokens(JSON.stringify(s)) / n },
    moengage: {
      n: ms.campaigns.length,
      text: countTokens(textOf(moe)) / ms.campaigns.length,
      structured: countTokens(JSON.stringify(ms)) / ms.campaigns.length,
      raw: countTokens(raw) / ms.campaigns.length,
    },
  };
}

/** The vendor's own payload for the same campaigns, as the API returns it (15 a page). */
async function rawMoEngage(sandbox: Sandbox, ids: Set<string>): Promise<string> {
  const sim = sandbox.sims.moengage;
  const { workspaceId, apiKey } = sim.credentials;
  const items: unknown[] = [];
  for (let page = 1; page < 100; page++) {
    const res = await fetch(`${sim.url}/core-services/v1/campaigns/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${workspaceId}:${apiKey}`).toString('base64')}`, 'MOE-APPKEY': workspaceId },
      body: JSON.stringify({ request_id: `bench-${page}-${Date.now()}`, page, limit: 15, campaign_fields: { channels: ['EMAIL'] } }),
    });
    if (res.status === 429) { await new Promise((r) => setTimeout(r, 1000)); page--; continue; }
    const body = (await res.json()) as Array<{ campaign_id?: string; id?: string }>;
    for (const c of body) if (ids.has(String(c.campaign_id ?? c.id))) items.push(c);
    if (body.length < 15) break;
  }
  return JSON.stringify(items);
}

async function fanOut(adapters: VendorAdapter[], sandbox: Sandbox, runs = 7) {
  for (const sim of Object.values(sandbox.sims)) sim.faults.latencyMs = 50;
  const timed = async (args: Record<string, unknown>) => {
    const { client } = await connect(adapters);
    const t = performance.now();
    const res = await client.callTool({ name: 'list_campaigns', arguments: args });
    const ms = performance.now() - t;
    if (res.isError || (res.structuredContent as any).errors) throw new Error(textOf(res));
    await client.close();
    return ms;
  };
  const out: Record<string, number> = {};
  const samples: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const v of VENDORS) (samples[v] ??= []).push(await timed({ vendor: v }));
    (samples.all ??= []).push(await timed({}));
  }
  for (const [k, v] of Object.entries(samples)) out[k] = median(v);
  for (const sim of Object.values(sandbox.sims)) sim.faults.latencyMs = 0;
  return out;
}

async function main() {
  const sandbox = await startSandbox();
  const http = new HttpClient();
  const adapters = createAdapters(sandbox.accounts, http);
  const { client } = await connect(adapters);

  const cold = await coldStart(15);
  const over = await overhead(http);
  const tok = await tokens(client, sandbox);
  const fan = await fanOut(adapters, sandbox);
  const send100k = await largeSend(100_000, 20);
  const send1m = await largeSend(1_000_000, 200);

  const lines = [
    `campaign-mcp benchmarks — node ${process.version}, ${new Date().toISOString()}`,
    '',
    'Cold start: spawn -> tools/list answered over stdio (median of 15, interleaved)',
    ...Object.entries(cold).map(([k, v]) => `  ${k.padEnd(32)} ${r(v)} ms`),
    `  ratio campaign-mcp / reference: ${r(cold['campaign-mcp (bundled bin)']! / cold['server-everything (reference)']!, 2)}`,
    '',
    `Per-call overhead: get_campaign (batch) through the MCP server vs the adapter alone (median of 300, loopback simulator)`,
    `  adapter ${r(over.direct, 2)} ms, tool call ${r(over.tool, 2)} ms, overhead ${r(over.overhead, 2)} ms`,
    '',
    'Tokens per campaign (o200k_base)',
    `  list_campaigns, all vendors, ${tok.all.n} campaigns: text ${r(tok.all.text)}, structured ${r(tok.all.structured)}`,
    `  list_campaigns, MoEngage email, ${tok.moengage.n} campaigns: text ${r(tok.moengage.text)}, structured ${r(tok.moengage.structured)}; raw vendor payload ${r(tok.moengage.raw)}`,
    '',
    'All-vendor listing with 50 ms injected latency per vendor request (median of 7)',
    ...Object.entries(fan).map(([k, v]) => `  ${k.padEnd(10)} ${r(v)} ms`),
    `  all / slowest single: ${r(fan.all! / Math.max(...VENDORS.map((v) => fan[v]!)), 2)}; all / sum of singles: ${r(fan.all! / VENDORS.reduce((s, v) => s + fan[v]!, 0), 2)}`,
    '',
    'Large CleverTap send from a recipients file (spawned bin; simulator limited to N send requests/s of 1,000 identities)',
    `  100,000 recipients at 20 requests/s: ${r(send100k.seconds, 1)} s, ${send100k.requests} requests, ${r(send100k.fraction * 100)}% of the limit, peak RSS ${r(send100k.peakRssMb)} MB, each reached once: ${send100k.reachedOnce}`,
    `  1,000,000 recipients at 200 requests/s: ${r(send1m.seconds, 1)} s, ${send1m.requests} requests, ${r(send1m.fraction * 100)}% of the limit, peak RSS ${r(send1m.peakRssMb)} MB, each reached once: ${send1m.reachedOnce}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await client.close();
  await http.close();
  await sandbox.close();
}

await main();
