import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { EmbeddedStore } from '../src/store.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import type { Finding } from '../src/audit/index.js';
import { READ_INTERVAL_MS } from '../src/audit/collect.js';

/** Pacing, rate windows and Retry-After run 20x faster on one clock shared by the HTTP client and the simulators. */
const fast = fastClock(20);

// Expectations come from the simulators' own seeded records and the vendors' words, never from our adapters.
const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;
const ago = (iso: string | undefined, days: number) => !!iso && Date.parse(/Z|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso.replace(' ', 'T')}Z`) < NOW.getTime() - days * DAY;
const simpleName = (n: string) => n.toLowerCase().replace(/\s*\(v\d+\)$/, '');

let sandbox: Sandbox;
let http: HttpClient;
let client: Client;
let findings: Finding[];

function flagged(check: string, vendor: string): string[] {
  return findings.filter((f) => f.check === check && f.vendor === vendor).map((f) => f.campaign_id).sort();
}
function dupes<T>(rows: T[], key: (r: T) => string, id: (r: T) => string): string[] {
  const groups = new Map<string, string[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), id(r)]);
  return [...groups.values()].filter((g) => g.length > 1).flat().sort();
}

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, clock: fast });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
  // Completeness is asserted here, so the audit runs to its end (a loaded machine can take longer than a call's 45 s).
  const ctx = { adapters: createAdapters(sandbox.accounts, http, () => NOW), sandbox: true, store: new EmbeddedStore(), now: () => NOW, clock: fast, limits: { deadlineMs: 150_000 } };
  client = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
  const r = await client.callTool({ name: 'audit_campaigns', arguments: { max_per_check: 500 } }, { timeout: 120_000 });
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  findings = (r.structuredContent as { findings: Finding[] }).findings;
  // Every campaign was read in detail: none audited from its listing only (which would hide findings).
  const audited = (r.structuredContent as { summary: { audited: Array<{ unread?: number; failed_reads?: number }> } }).summary.audited;
  expect(audited.map((a) => [a.unread ?? 0, a.failed_reads ?? 0])).toEqual(audited.map(() => [0, 0]));
}, 150_000);
afterAll(async () => {
  await client?.close();
  await http?.close();
  await sandbox?.close();
});

describe('audit of the four simulators: every seeded problem found, nothing else flagged', () => {
  it('CleverTap: caps bypassed, no control group, stale schedule, duplicate names', () => {
    const cs = sandbox.sims.clevertap.campaigns;
    const live = cs.filter((c) => ['running', 'scheduled', 'pending'].includes(c.status));
    expect(flagged('frequency_cap_bypass', 'clevertap')).toEqual(live.filter((c) => c.respect_frequency_caps === false).map((c) => String(c.id)).sort());
    expect(flagged('frequency_cap_bypass', 'clevertap')).toContain(String(cs.find((c) => c.name === 'Flash Sale Blast – All Users')!.id));
    expect(flagged('no_control_group', 'clevertap')).toEqual(live.filter((c) => c.control_group === null).map((c) => String(c.id)).sort());
    const stale = live.filter((c) => c.status !== 'running' && c.scheduled_on < Number(new Date(NOW.getTime() - DAY).toISOString().slice(0, 16).replace(/[-T:]/g, '')));
    expect(stale.length).toBeGreaterThan(0);
    expect(flagged('stale_schedule', 'clevertap')).toEqual(stale.map((c) => String(c.id)).sort());
    expect(flagged('duplicate_name', 'clevertap')).toEqual(dupes(live, (c) => `${c.channel}|${simpleName(c.name)}`, (c) => String(c.id)));
    expect(flagged('duplicate_name', 'clevertap').length).toBeGreaterThanOrEqual(2); // the planted pair
  });

  it('MoEngage: caps bypassed, no control group, stale schedule, long paused, duplicates; nothing claimed where the data is clean', () => {
    const cs = sandbox.sims.moengage.campaigns;
    const live = cs.filter((c) => ['Active', 'Sending', 'Scheduled'].includes(c.status));
    const dc = (c: (typeof cs)[number]) => c.delivery_controls as Record<string, unknown>;
    const cg = (c: (typeof cs)[number]) => c.control_group_details as Record<string, unknown>;
    expect(flagged('frequency_cap_bypass', 'moengage')).toEqual(live.filter((c) => dc(c).ignore_frequency_capping === true).map((c) => c.campaign_id).sort());
    expect(flagged('no_control_group', 'moengage')).toEqual(
      live.filter((c) => !cg(c).is_campaign_control_group_enabled && !cg(c).is_global_control_group_enabled).map((c) => c.campaign_id).sort());
    const stale = live.filter((c) => c.status === 'Scheduled' && ago(c.scheduling_details.start_time, 1));
    expect(stale.length).toBe(1);
    expect(flagged('stale_schedule', 'moengage')).toEqual(stale.map((c) => c.campaign_id));
    expect(flagged('long_paused', 'moengage')).toEqual(cs.filter((c) => c.status === 'Paused' && ago(c.updated_at, 30)).map((c) => c.campaign_id).sort());
    expect(flagged('past_expiry', 'moengage')).toEqual(live.filter((c) => c.status !== 'Scheduled' && ago(c.scheduling_details.expiry_time, 0)).map((c) => c.campaign_id).sort());
    expect(flagged('duplicate_name', 'moengage')).toEqual(dupes(live, (c) => `${c.channel}|${simpleName(c.basic_details.name)}`, (c) => c.campaign_id));
    expect(flagged('duplicate_name', 'moengage')).toContain(cs[24]!.campaign_id);
    // The seeded data has no DND bypass, every campaign has a goal, one throttle and UTM-tagged links: none may be claimed.
    expect(live.some((c) => dc(c).bypass_dnd === true)).toBe(false);
    for (const check of ['dnd_bypass', 'no_conversion_goal', 'throttle_outlier', 'missing_utm', 'empty_audience']) expect(flagged(check, 'moengage'), check).toEqual([]);
  });

  it('Batch: campaigns scheduled in the past that never sent, duplicates; no cap or control-group claim', () => {
    const seeds = sandbox.sims.batch.campaigns;
    const never = seeds.filter((s) => s.record.live && !s.record.trigger && !s.record.recurrence && (s.record.push_time || s.record.local_push_time) && s.expected.status === 'completed' && s.stats.length === 0);
    expect(never.length).toBe(2);
    expect(flagged('stale_schedule', 'batch')).toEqual(never.map((s) => s.record.campaign_token).sort());
    const live = seeds.filter((s) => s.expected.status === 'running' || s.expected.status === 'scheduled');
    expect(flagged('duplicate_name', 'batch')).toEqual(dupes(live, (s) => `${s.expected.channel}|${simpleName(s.record.name!)}`, (s) => s.record.campaign_token));
    for (const check of ['frequency_cap_bypass', 'no_control_group', 'long_paused', 'past_expiry']) expect(flagged(check, 'batch'), check).toEqual([]);
  });

  it('Altcraft: containers without a control group, stale waiting containers, long paused, duplicates', () => {
    const { campaigns: scampaigns, mailings } = sandbox.sims.altcraft;
    const live = scampaigns.filter((c) => c.state === 'waiting' || c.state === 'active');
    expect(flagged('no_control_group', 'altcraft')).toEqual(live.filter((c) => Number(c.audience.lcg.size_formation_settings.percent) === 0).map((c) => `campaign-${c.id}`).sort());
    const stale = live.filter((c) => c.state === 'waiting' && ago(c.active_period.settings.start_at, 1));
    expect(stale.length).toBeGreaterThan(0);
    expect(flagged('stale_schedule', 'altcraft')).toEqual(stale.map((c) => `campaign-${c.id}`).sort());
    const paused = [
      ...scampaigns.filter((c) => c.state === 'inactive' && c.active_period.history.start && ago(c.updatetime, 30)).map((c) => `campaign-${c.id}`),
      // An inactive mailing reads as draft: nothing documented says it ever ran, so it is never called paused.
    ];
    expect(flagged('long_paused', 'altcraft')).toEqual(paused.sort());
    const liveMailings = mailings.filter((m) => m.status === 'Active' || m.status === 'Sending');
    const rows = [...live.map((c) => ({ id: `campaign-${c.id}`, key: `other|${simpleName(c.name)}` })), ...liveMailings.map((m) => ({ id: `mailing-${m.id}`, key: `${m.send_channel}|${simpleName(m.name)}` }))];
    expect(flagged('duplicate_name', 'altcraft')).toEqual(dupes(rows, (r) => r.key, (r) => r.id));
  });

  it('Batch reads are spaced: never refused for rate during the audit', () => {
    const reads = sandbox.sims.batch.requests.filter((r) => !r.path.endsWith('/campaigns/list'));
    expect(reads.length).toBeGreaterThan(50);
    expect(reads.filter((r) => r.status === 429)).toEqual([]);
    // Arrival jitter (real latency times the clock's factor) is well under a tenth of the spacing summed over the run.
    const at = reads.map((r) => r.at);
    expect(Math.max(...at) - Math.min(...at)).toBeGreaterThanOrEqual((reads.length - 1) * READ_INTERVAL_MS.batch! * 0.9);
    // (That the spacing runs on the context's clock, not real time, is shown in audit.deadline.test.ts on a virtual clock.)
  });

  it('every finding quotes a vendor field with its value, and overlaps name running peers on the same channel', () => {
    for (const f of findings) expect(f.evidence, `${f.check} ${f.campaign_id}`).toMatch(/[a-z_./]+: \S/);
    const overlap = findings.filter((f) => f.check === 'overlapping_audience');
    expect(overlap.length).toBeGreaterThan(0);
    for (const f of overlap) expect(f.evidence).toMatch(/overlaps .*\(\S+\).*, all running \w+$/);
  });
});
