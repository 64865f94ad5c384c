import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { EmbeddedStore } from '../src/store.js';
import { createServer } from '../src/server.js';
import { allTools } from '../tools/index.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import type { GetResult } from '../src/vendors/vendor.js';
import { connectInProcess } from './helpers/client.js';
import { FakeAdapter, makeCampaigns } from './helpers/fake-adapter.js';
import { virtualClock } from '../src/concurrency.js';
import { READ_INTERVAL_MS } from '../src/audit/collect.js';

/** A vendor whose detail reads take 100 ms each: 300 campaigns need 10 s at 3 reads at a time. */
class SlowDetail extends FakeAdapter {
  override async getCampaign(id: string, _q?: unknown, signal?: AbortSignal): Promise<GetResult> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, 100);
      signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
    });
    return super.getCampaign(id);
  }
}

const DEADLINE_MS = 3_000;
const slow = new SlowDetail('moengage', 'default', makeCampaigns('moengage', 900).map((c) => ({ ...c, status: 'running' as const })));
let client: Client;
beforeAll(async () => {
  const ctx = { adapters: [slow], sandbox: false, store: new EmbeddedStore(), now: () => new Date('2026-11-22T12:00:00Z'), limits: { ...DEFAULT_LIMITS, deadlineMs: DEADLINE_MS } };
  client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
});
afterAll(async () => client?.close());

describe('an audit longer than the call deadline', () => {
  it('answers before the deadline with what it read, and says how many campaigns it could not read in detail', async () => {
    const t0 = performance.now();
    const r = await client.callTool({ name: 'audit_campaigns', arguments: {} });
    const ms = performance.now() - t0;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000); // (past the deadline the call would be an error, checked above)
    const s = r.structuredContent as { summary: { audited: Array<{ vendor: string; campaigns: number; detail_reads: number; unread?: number; failed_reads?: number }> } };
    const [moe] = s.summary.audited;
    expect(moe!.detail_reads).toBeGreaterThan(0);
    expect(moe!.unread).toBeGreaterThan(0);
    expect(moe!.failed_reads).toBeUndefined(); // cut by the deadline is not "failed"
    expect(moe!.detail_reads + moe!.unread!).toBe(moe!.campaigns);
    expect(slow.calls.filter((c) => c.startsWith('get ')).length).toBe(moe!.detail_reads);
    const text = (r.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain(`moengage: ${moe!.unread} campaigns were not read in detail before the call's deadline; their detail checks were skipped`);
    // Reads answered steadily until the deadline: the deadline, not a held rate window, cut them; every detail check says so.
    const { summary } = r.structuredContent as { summary: { audited: Array<{ unread_reason?: string }>; incomplete?: Array<{ check: string; vendor: string; campaigns: number; reason: string }>; by_check: Array<{ check: string; not_seen?: number }> } };
    expect(summary.audited[0]!.unread_reason).toBe('deadline');
    // The listing-only checks saw every campaign and found nothing in these 900 running, distinctly named ones:
    // the text calls them clean, and only them.
    const noFindings = text.split('\n').filter((l) => l.startsWith('No findings: '));
    expect(noFindings).toHaveLength(1);
    const clean = /^No findings: (.*)\.$/.exec(noFindings[0]!)![1]!.split(', ');
    expect(clean).toEqual(['stale_schedule', 'duplicate_name', 'long_paused']);
    for (const check of ['dnd_bypass', 'frequency_cap_bypass', 'no_control_group']) {
      expect(summary.incomplete).toContainEqual({ check, vendor: 'moengage', campaigns: moe!.unread, reason: 'deadline' });
      expect(summary.by_check.find((c) => c.check === check)!.not_seen).toBe(moe!.unread);
      expect(clean).not.toContain(check);
    }
    expect(text).toContain(`- ${summary.incomplete!.filter((g) => g.campaigns === moe!.unread).map((g) => g.check).join(', ')}: moengage ${moe!.unread} (call's deadline)`);
  }, 15_000);
});

describe('the audit\'s own read spacing', () => {
  it('waits on the context\'s clock, never on real time: 40 Batch reads spaced on a clock that stands still', async () => {
    const clock = virtualClock();
    const batch = new FakeAdapter('batch', 'default', makeCampaigns('batch', 40).map((c) => ({ ...c, status: 'running' as const })));
    const ctx = { adapters: [batch], sandbox: false, store: new EmbeddedStore(), now: () => new Date('2026-11-22T12:00:00Z'), clock, limits: DEFAULT_LIMITS };
    const c = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
    try {
      const t0 = performance.now();
      const r = await c.callTool({ name: 'audit_campaigns', arguments: {} });
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      const reads = batch.calls.filter((x) => x.startsWith('get ')).length;
      expect(reads).toBe(40);
      // Every read after the first waited its turn on the virtual clock (real time would leave slept empty)...
      expect(clock.slept.length).toBeGreaterThanOrEqual(reads - 1 - 3);
      expect(clock.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual((reads - 4) * READ_INTERVAL_MS.batch!);
      // ...and nothing waited for real: 39 spacings of 150 ms would take 5.9 s.
      expect(performance.now() - t0).toBeLessThan(3_000);
    } finally {
      await c.close();
    }
  });
});
