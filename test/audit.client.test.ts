import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { EmbeddedStore } from '../src/store.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { CHECK_IDS } from '../src/audit/index.js';

/** Pacing, rate windows and Retry-After run 20x faster on one clock shared by the HTTP client and the simulators. */
const fast = fastClock(20);

const NOW = new Date('2026-11-22T12:00:00Z');
let sandbox: Sandbox;
let http: HttpClient;
let client: Client;
let ctx: Parameters<typeof createServer>[0];
let result: { text: string; structured: Record<string, unknown>; ms: number };
const progress: Array<{ progress: number; total?: number }> = [];
// Process warnings while the audit runs (e.g. MaxListenersExceededWarning, which a user sees on stderr).
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
  // Completeness is asserted here, so the audit runs to its end (a loaded machine can take longer than a call's 45 s).
  ctx = { adapters: createAdapters(sandbox.accounts, http, () => NOW), sandbox: true, store: new EmbeddedStore(), now: () => NOW, clock: fast, limits: { deadlineMs: 150_000 } };
  client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
  process.on('warning', onWarning);
  const t0 = performance.now();
  const r = await client.callTool({ name: 'audit_campaigns', arguments: {} }, { timeout: 120_000, onprogress: (p) => progress.push(p) });
  const ms = performance.now() - t0;
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  result = { text: (r.content as Array<{ text: string }>)[0]!.text, structured: r.structuredContent as Record<string, unknown>, ms };
}, 150_000);
afterAll(async () => {
  process.off('warning', onWarning);
  await client?.close();
  await http?.close();
  await sandbox?.close();
});

describe('audit_campaigns through a real client, the whole sandbox with default arguments', () => {
  it('prints no process warning (hundreds of reads queue on one signal by design)', () => {
    expect(warnings).toEqual([]);
  });

  it('stays inside 10,000 tokens in text and in structured content (o200k)', () => {
    const text = encode(result.text).length;
    const structured = encode(JSON.stringify(result.structured)).length;
    console.info(`audit: ${text} text tokens, ${structured} structured tokens, ${Math.round(result.ms)} ms`);
    expect(text).toBeLessThanOrEqual(10_000);
    expect(structured).toBeLessThanOrEqual(10_000);
  });

  it('summarizes per vendor, per check and severity, and what could not be checked', () => {
    const s = result.structured.summary as { audited: Array<{ vendor: string; campaigns: number }>; by_check: Array<{ check: string; findings: number; shown: number }>; not_checked: Array<{ check: string; vendors: string[]; reason: string }>; by_severity: Record<string, number> };
    expect(s.audited.map((a) => a.vendor)).toEqual(['clevertap', 'moengage', 'batch', 'altcraft']);
    expect(s.audited.reduce((n, a) => n + a.campaigns, 0)).toBeGreaterThan(200);
    expect(s.by_check.map((c) => c.check)).toEqual([...CHECK_IDS]);
    expect(s.by_check.reduce((n, c) => n + c.findings, 0)).toBe(s.by_severity.high! + s.by_severity.medium! + s.by_severity.low!);
    expect(s.not_checked).toContainEqual(expect.objectContaining({ check: 'dnd_bypass', vendors: ['clevertap', 'batch', 'altcraft'] }));
    expect(s.not_checked).toContainEqual(expect.objectContaining({ check: 'frequency_cap_bypass', vendors: ['batch', 'altcraft'] }));
    const findings = result.structured.findings as Array<{ check: string }>;
    expect(findings.map((f) => CHECK_IDS.indexOf(f.check as never))).toEqual([...findings.map((f) => CHECK_IDS.indexOf(f.check as never))].sort((a, b) => a - b));
    expect(result.text).toMatch(/^\[sandbox data\] Audited \d+ running\/scheduled campaigns/);
    expect(result.text).toContain('HIGH frequency_cap_bypass');
    expect(result.text).toContain('Not checked');
  });

  it('reports progress while it reads campaigns in detail', () => {
    expect(progress.length).toBeGreaterThan(10);
    const last = progress[progress.length - 1]!;
    expect(last.progress).toBe(last.total);
  });

  it('keeps the report by its report_uri in the store, which another server sharing the store reads; audit://latest is this server\'s', async () => {
    const uri = result.structured.report_uri as string;
    expect(uri).toMatch(/^audit:\/\/reports\/[\w-]{12}$/);
    expect(result.text).toContain(`Full report: ${uri}`);
    const body = (read: { contents: unknown[] }) => JSON.parse((read.contents[0] as { text: string }).text) as Record<string, unknown>;
    // Another instance on the same store (its own context, so its own latest): the report reads the same there.
    const other = await connectInProcess(createServer({ ...ctx }, allTools, { readOnly: false }));
    try {
      for (const c of [client, other]) {
        const read = await c.readResource({ uri });
        expect(body(read).findings).toEqual(result.structured.findings);
        expect(body(read).summary).toEqual(result.structured.summary);
        expect((read.contents[1] as { text: string }).text).toBe(result.text.replace(/^\[sandbox data\] /, ''));
      }
      expect(body(await client.readResource({ uri: 'audit://latest' })).findings).toEqual(result.structured.findings);
      expect(body(await other.readResource({ uri: 'audit://latest' }))).toEqual({ message: 'No audit has run yet: call audit_campaigns first.' });
      await expect(other.readResource({ uri: 'audit://reports/not-kept-here' })).rejects.toThrow(/not kept .*call audit_campaigns again/);
      // Kept in the store, not in this process: a server on a store of its own (in this same process) has no such report.
      const lone = await connectInProcess(createServer({ ...ctx, store: new EmbeddedStore() }, allTools, { readOnly: false }));
      try {
        await expect(lone.readResource({ uri })).rejects.toThrow(/not kept .*call audit_campaigns again/);
      } finally {
        await lone.close();
      }
      expect((await client.listResources()).resources.map((r) => r.uri)).toContain('audit://latest');
      expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toContain('audit://reports/{id}');
    } finally {
      await other.close();
    }
  });
});

describe('prompts', () => {
  it('lists draft_campaign and audit_campaigns with their arguments', async () => {
    const { prompts } = await client.listPrompts();
    const byName = Object.fromEntries(prompts.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['audit_campaigns', 'draft_campaign']);
    expect(byName.draft_campaign!.arguments?.map((a) => [a.name, a.required ?? false])).toEqual([['goal', true], ['vendor', false], ['channel', false]]);
    expect(byName.audit_campaigns!.arguments?.map((a) => a.name)).toEqual(['vendor', 'checks']);
  });

  it('draft_campaign walks audience → estimate_reach → preview → the person confirms', async () => {
    const got = await client.getPrompt({ name: 'draft_campaign', arguments: { goal: 'push to cart abandoners this week', vendor: 'clevertap', channel: 'push' } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('push to cart abandoners this week');
    const order = ['estimate_reach', 'create_campaign WITHOUT confirm', 'explicitly approve', 'confirm token'].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('audit_campaigns asks for the audit and a prioritized summary with fixes', async () => {
    const got = await client.getPrompt({ name: 'audit_campaigns', arguments: { vendor: 'moengage', checks: 'frequency_cap_bypass, no_control_group' } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('vendor: "moengage"');
    expect(text).toContain('["frequency_cap_bypass","no_control_group"]');
    expect(text).toMatch(/high severity first.*fix/s);
    expect(text).toContain('not_checked');
  });

  it('completes vendor, channel and check arguments', async () => {
    const vendor = await client.complete({ ref: { type: 'ref/prompt', name: 'draft_campaign' }, argument: { name: 'vendor', value: 'm' } });
    expect(vendor.completion.values).toEqual(['moengage']);
    const channel = await client.complete({ ref: { type: 'ref/prompt', name: 'draft_campaign' }, argument: { name: 'channel', value: 'w' } });
    expect(channel.completion.values).toEqual(['webpush', 'whatsapp', 'webhook']);
    const check = await client.complete({ ref: { type: 'ref/prompt', name: 'audit_campaigns' }, argument: { name: 'checks', value: 'stale_schedule, no_c' } });
    expect(check.completion.values).toEqual(['stale_schedule, no_control_group', 'stale_schedule, no_conversion_goal']);
  });
});
