import { describe, expect, it } from 'vitest';
import type { CampaignDetail, CampaignSummary, Status, VendorId } from '../src/domain.js';
import { CHECKS } from '../src/audit/index.js';
import { normalizeName } from '../src/audit/overlap.js';
import { linksWithoutUtm } from '../src/audit/content.js';
import { contentLinks } from '../src/vendors/moengage-map.js';
import type { AuditItem, CheckId } from '../src/audit/types.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const env = { now: NOW, statuses: ['running', 'scheduled'] as Status[] };
let n = 0;
function item(vendor: VendorId, over: Partial<CampaignSummary> = {}, detail: Partial<CampaignDetail> | null = {}): AuditItem {
  const summary: CampaignSummary = { vendor, account: 'default', id: over.id ?? `c${++n}`, name: 'Winter Sale', status: 'running', channel: 'push', ...over };
  return { summary, inScope: true, ...(detail ? { detail: { ...summary, ...detail } } : {}) };
}
const run = (check: CheckId, items: AuditItem[]) => CHECKS[check].run(items, env).map((f) => f.campaign_id);

describe('checks as pure functions', () => {
  it('frequency_cap_bypass quotes each vendor field; true or unknown is not flagged', () => {
    const ct = item('clevertap', { id: 'ct' }, { respects_frequency_caps: false });
    const moe = item('moengage', { id: 'moe' }, { respects_frequency_caps: false });
    const f = CHECKS.frequency_cap_bypass.run([ct, moe, item('clevertap', {}, { respects_frequency_caps: true }), item('moengage'), item('batch', {}, { respects_frequency_caps: false })], env);
    expect(f.map((x) => [x.campaign_id, x.evidence, x.severity])).toEqual([
      ['ct', 'respect_frequency_caps: false', 'high'], ['moe', 'delivery_controls.ignore_frequency_capping: true', 'high'],
    ]);
  });

  it('dnd_bypass, no_conversion_goal, empty_audience read only their own fact', () => {
    expect(run('dnd_bypass', [item('moengage', { id: 'a' }, { bypasses_dnd: true }), item('moengage', {}, { bypasses_dnd: false }), item('moengage')])).toEqual(['a']);
    expect(run('no_conversion_goal', [item('moengage', { id: 'g' }, { conversion_goal: false }), item('moengage', {}, { conversion_goal: true }), item('moengage')])).toEqual(['g']);
    expect(run('empty_audience', [item('moengage', { id: 'z' }, { reachable: 0 }), item('moengage', {}, { reachable: 3 }), item('moengage')])).toEqual(['z']);
  });

  it('no_control_group flags only an explicit false', () => {
    expect(run('no_control_group', [item('altcraft', { id: 'x' }, { control_group: false }), item('altcraft', {}, { control_group: true }), item('altcraft')])).toEqual(['x']);
  });

  it('throttle_outlier compares with the account median and needs peers', () => {
    const peers = [3000, 3000, 3000].map((t) => item('moengage', {}, { throttle_per_minute: t }));
    expect(run('throttle_outlier', [...peers, item('moengage', { id: 'fast' }, { throttle_per_minute: 20_000 })])).toEqual(['fast']);
    expect(run('throttle_outlier', [item('moengage', {}, { throttle_per_minute: 100 }), item('moengage', {}, { throttle_per_minute: 20_000 })])).toEqual([]);
    expect(run('throttle_outlier', [...peers, item('moengage', {}, { throttle_per_minute: 8000 })])).toEqual([]);
  });

  it('stale_schedule: scheduled a day past its start; Batch clock-completed only with no statistics', () => {
    const old = item('clevertap', { id: 'old', status: 'scheduled', scheduled_at: '2026-10-01T10:00' }, null);
    const soon = item('clevertap', { status: 'scheduled', scheduled_at: '2026-11-22T06:00' }, null);
    const future = item('moengage', { status: 'scheduled', scheduled_at: '2026-12-01T10:00Z' }, null);
    const never = { ...item('batch', { id: 'never', status: 'completed', vendor_status: 'live', scheduled_at: '2026-01-01T10:00Z' }, null), report: { vendor: 'batch' as const, id: 'never', available: false } };
    const sent = { ...item('batch', { status: 'completed', vendor_status: 'live', scheduled_at: '2026-01-01T10:00Z' }, null), report: { vendor: 'batch' as const, id: 's', available: true, metrics: { sent: 5 } } };
    expect(run('stale_schedule', [old, soon, future, never, sent])).toEqual(['old', 'never']);
    expect(CHECKS.stale_schedule.run([old], env)[0]!.evidence).toBe('status: scheduled; scheduled_on: 2026-10-01T10:00 (52 days ago)');
  });

  it('past_expiry: running with an end in the past', () => {
    expect(run('past_expiry', [
      item('moengage', { id: 'late' }, { schedule: { end: '2026-11-01T00:00Z' } }), item('moengage', {}, { schedule: { end: '2027-01-01T00:00Z' } }),
      item('moengage', { status: 'completed' }, { schedule: { end: '2026-01-01T00:00Z' } }),
    ])).toEqual(['late']);
  });

  const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000).toISOString();

  it('stale_schedule flags a start a day and an hour past, not 23 hours past', () => {
    expect(run('stale_schedule', [
      item('moengage', { id: 'day-and-an-hour', status: 'scheduled', scheduled_at: hours(-25) }, null),
      item('moengage', { status: 'scheduled', scheduled_at: hours(-23) }, null),
    ])).toEqual(['day-and-an-hour']);
  });

  it('past_expiry flags an end an hour past, not one an hour ahead', () => {
    expect(run('past_expiry', [
      item('moengage', { id: 'hour-ago' }, { schedule: { end: hours(-1) } }), item('moengage', {}, { schedule: { end: hours(1) } }),
    ])).toEqual(['hour-ago']);
  });

  it('throttle_outlier flags just over three times the median, not exactly three times', () => {
    const peers = [3000, 3000, 3000].map((t) => item('moengage', {}, { throttle_per_minute: t }));
    expect(run('throttle_outlier', [...peers, item('moengage', { id: 'over' }, { throttle_per_minute: 9001 }), item('moengage', {}, { throttle_per_minute: 9000 })])).toEqual(['over']);
  });

  it('long_paused: paused and unchanged for 30 days', () => {
    expect(run('long_paused', [
      item('moengage', { id: 'p', status: 'paused' }, { updated_at: '2026-09-01T00:00Z' }), item('moengage', { status: 'paused' }, { updated_at: '2026-11-10T00:00Z' }),
      item('moengage', {}, { updated_at: '2025-01-01T00:00Z' }),
    ])).toEqual(['p']);
  });

  it('duplicate_name: same account and channel after normalizing; containers and mailings apart', () => {
    expect(normalizeName('Black Friday – VIP (v2)')).toBe(normalizeName('black friday - vip'));
    expect(normalizeName('Promo copy 2')).toBe('promo');
    expect(normalizeName('Promo 2026')).not.toBe('promo');
    const a = item('batch', { id: 'a', name: 'Black Friday – VIP (v2)' }, null);
    const b = item('batch', { id: 'b', name: 'black friday: VIP' }, null);
    const email = item('batch', { name: 'Black Friday – VIP', channel: 'email' }, null);
    expect(run('duplicate_name', [a, b, email])).toEqual(['a', 'b']);
    expect(run('duplicate_name', [item('altcraft', { id: 'campaign-1', channel: 'other' }, null), item('altcraft', { id: 'mailing-2', channel: 'other' }, null)])).toEqual([]);
  });

  it('overlapping_audience: identical targeting or all users, running, same channel', () => {
    const all = item('clevertap', { id: 'all' }, { audience: 'all users' });
    const seg = item('clevertap', { id: 'seg' }, { audience: 'segment 7' });
    const seg2 = item('clevertap', { id: 'seg2' }, { audience: 'Segment 7' });
    const other = item('clevertap', { id: 'sms', channel: 'sms' }, { audience: 'segment 9' });
    const sched = item('clevertap', { status: 'scheduled' }, { audience: 'all users' });
    expect(run('overlapping_audience', [all, seg, seg2, other, sched])).toEqual(['all', 'seg', 'seg2']);
    expect(run('overlapping_audience', [seg, item('clevertap', {}, { audience: 'segment 8' })])).toEqual([]);
  });

  it('missing_utm: http(s) marketing links without utm_*', () => {
    expect(linksWithoutUtm(['https://shop.example/a?utm_source=x', 'https://shop.example/b', 'https://shop.example/unsubscribe', 'shop://home'])).toEqual(['https://shop.example/b']);
    const html = '<a href="https://shop.example/p/1?utm_source=moengage&amp;utm_campaign=x">a</a><a href="{{UnsubscribeLink}}">u</a>';
    expect(contentLinks({ content: { email: { html_content: html } }, push: { url: 'https://shop.example/deal' } })).toEqual(['https://shop.example/p/1?utm_source=moengage&utm_campaign=x', 'https://shop.example/deal']);
    expect(run('missing_utm', [item('moengage', { id: 'u' }, { links: ['https://shop.example/b'] }), item('moengage', {}, { links: ['https://x.example/?utm_medium=push'] })])).toEqual(['u']);
  });
});
