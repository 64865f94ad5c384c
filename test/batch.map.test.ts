import { describe, expect, it } from 'vitest';
import {
  BATCH_LIVE_FILTER, BATCH_STATUS, batchAudience, batchChannel, batchContent, batchDelivery, batchInstant,
  batchRespectsCaps, batchSchedule, batchStart, batchState, batchVendorStatus, toBatchSummary, trimRaw, type BatchCampaignRecord,
} from '../src/vendors/batch-map.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const rec = (r: Partial<BatchCampaignRecord>): BatchCampaignRecord => ({ campaign_token: 'a0082dc6860938a26280bd3ba927303b', name: 'x', ...r });

describe('batch status table', () => {
  const reached = new Set<string>();
  it.each([
    [{ live: true, trigger: {}, push_time: '2026-07-01T00:00:00' }, 'live:trigger', 'running', 'live/trigger'],
    [{ live: true, push_time: '2026-06-16T09:00:00' }, 'live:future', 'scheduled', 'live'],
    [{ live: true, push_time: '2026-06-14T09:00:00' }, 'live:past', 'completed', 'live'],
    [{ live: true }, 'live:none', 'completed', 'live'],
    [{ live: true, push_time: '2025-01-01T00:00:00', recurrence: { end_date: '2026-12-31T23:59:59', repeat_unit: 'WEEKLY' } }, 'live:recurring-active', 'running', 'live/recurring'],
    [{ live: true, push_time: '2025-01-01T00:00:00', recurrence: { repeat_unit: 'DAILY' } }, 'live:recurring-active', 'running', 'live/recurring'],
    [{ live: true, push_time: '2025-01-01T00:00:00', recurrence: { end_date: '2026-01-01T00:00:00' } }, 'live:recurring-ended', 'completed', 'live/recurring'],
    [{ live: true, push_time: '2026-08-01T00:00:00', recurrence: { end_date: '2026-12-01T00:00:00' } }, 'live:future', 'scheduled', 'live/recurring'],
    [{ live: false, push_time: '2026-07-01T10:00:00' }, 'not-live:future', 'draft', 'not-live'],
    [{ live: false }, 'not-live:none', 'draft', 'not-live'],
    [{ live: false, push_time: '2026-01-01T10:00:00', trigger: { event: 'e.signup' } }, 'not-live:past', 'stopped', 'not-live/trigger'],
    [{ live: false, local_push_time: '2026-01-01T10:00:00' }, 'not-live:past', 'stopped', 'not-live'],
    [{ live: 'yes' as unknown as boolean }, 'unknown', 'unknown', 'unknown'],
  ])('derives %j', (r, state, status, word) => {
    expect(batchState(rec(r), NOW)).toBe(state);
    const s = toBatchSummary(rec(r), 'main', NOW);
    expect(s.status).toBe(status);
    expect(s.vendor_status).toBe(word);
    reached.add(state as string);
    // The list's `live` filter sent for this status must keep this very campaign (seed 003: live=true is running or completed).
    const filter = BATCH_LIVE_FILTER[s.status];
    if (filter !== undefined) expect(rec(r).live).toBe(filter);
  });

  it('has an example above for every state it can derive (a new state needs one)', () => {
    expect([...reached].sort()).toEqual(Object.keys(BATCH_STATUS).sort());
  });
});

describe('batch channels and times', () => {
  it('maps channel hints', () => {
    expect(batchChannel(rec({}))).toBe('push');
    expect(batchChannel(rec({ landing: { title: 'hi' } }))).toBe('inapp');
    expect(batchChannel(rec({ type: 'in-app' }))).toBe('inapp');
    expect(batchChannel(rec({ type: 'PUSH', landing: {} }))).toBe('push');
  });

  it('reads zone-less times in the account zone, as instants', () => {
    expect(batchInstant('2017-03-02T09:43:17')).toBe('2017-03-02T09:43:00Z');
    expect(batchInstant('2017-03-02T09:43:17', 'Europe/Paris')).toBe('2017-03-02T08:43:00Z');
    expect(batchInstant('2017-07-06T14:09:18', 'Europe/Paris')).toBe('2017-07-06T12:09:00Z');
    expect(batchInstant('2017-03-02T09:43:17+02:00', 'Asia/Tokyo')).toBe('2017-03-02T07:43:00Z');
    expect(batchInstant('now')).toBeUndefined();
    expect(batchStart(rec({ local_push_time: '2017-03-03T13:10:19' }), 'Asia/Kolkata')).toBe('2017-03-03T07:40:00Z');
    const local = batchSchedule(rec({ local_push_time: '2017-03-03T13:10:19' }), 'Asia/Kolkata')!;
    expect(local).toEqual({ start: '2017-03-03T07:40:00Z', recurrence: "at that time in each user's zone (shown in the account's)" });
  });

  it('derives status from instants: push_time is UTC in any account zone, local_push_time is read in the account zone', () => {
    const r = rec({ live: true, push_time: '2026-06-15T13:30:00' });
    expect(batchState(r, NOW, 'UTC')).toBe('live:future');
    expect(batchState(r, NOW, 'Europe/Paris')).toBe('live:future');
    const local = rec({ live: true, local_push_time: '2026-06-15T13:30:00' });
    expect(batchState(local, NOW, 'UTC')).toBe('live:future');
    expect(batchState(local, NOW, 'Europe/Paris')).toBe('live:past');
  });

  it('builds the tiny summary from the seed example', () => {
    const s = toBatchSummary(rec({ from_api: false, dev_only: true, created_date: '2017-03-02T09:43:17', name: 'Test Campaign 2', live: false, local_push_time: '2017-03-03T13:10:19', labels: ['promo'] }), 'main', NOW);
    expect(s).toEqual({
      vendor: 'batch', account: 'main', id: 'a0082dc6860938a26280bd3ba927303b', name: 'Test Campaign 2', status: 'stopped',
      vendor_status: 'not-live', channel: 'push', created_at: '2017-03-02T09:43:00Z', scheduled_at: '2017-03-03T13:10:00Z', tags: ['promo'],
    });
  });
});

describe('batch detail helpers', () => {
  it('describes delivery, caps, schedule, audience and content', () => {
    const r = rec({
      push_time: '2026-01-01T08:00:00', recurrence: { end_date: '2026-12-31T23:59:59', repeat_unit: 'WEEKLY', repeat_frequency: 2 },
      targeting: { segments: ['NEW', 'ENGAGED'] }, query: { $or: [{ 'c.language': 'fr' }, { 'e.purchase.count': { $gte: 2 } }] },
      messages: [{ language: 'en', title: 'Hello!', body: '<b>Big</b> sale&nbsp;today' }], dev_only: true,
    });
    expect(batchDelivery(r)).toBe('recurring');
    expect(batchRespectsCaps(r)).toBe(false);
    expect(batchRespectsCaps({ ...r, capping: 2 })).toBe(true);
    expect(batchRespectsCaps(rec({}))).toBeUndefined();
    expect(batchSchedule(r)).toEqual({ start: '2026-01-01T08:00:00Z', end: '2026-12-31T23:59:00Z', recurrence: 'every 2 weeks' });
    expect(batchAudience(r)).toBe('segments NEW, ENGAGED; query (c.language = "fr" OR e.purchase.count gte 2) (dev builds only)');
    expect(batchAudience(rec({}))).toBe('all users');
    expect(batchContent(r)).toBe('Hello! — Big sale today');
    expect(batchDelivery(rec({ trigger: {} }))).toBe('triggered');
  });

  it('trims raw records', () => {
    const raw = trimRaw({ body: `<p>${'a'.repeat(500)}</p>`, list: Array.from({ length: 25 }, (_, i) => i) }) as { body: string; list: unknown[] };
    expect(raw.body).toBe(`${'a'.repeat(300)} [... 200 chars trimmed]`);
    expect(raw.list).toHaveLength(21);
    expect(raw.list[20]).toBe('[... 5 more items]');
  });
});
