import { describe, expect, it } from 'vitest';
import { CHANNELS, PROFILE_OPS } from '../src/domain.js';
import { InputError, UnsupportedError } from '../src/errors.js';
import { CLEVERTAP_REGIONS, clevertapBaseUrl } from '../src/vendors/clevertap.js';
import {
  CLEVERTAP_CHANNEL, CLEVERTAP_PROFILE_OP, CLEVERTAP_STATUS, CLEVERTAP_TARGET_MODE, audienceToWhere, describeWhere, excerpt,
  mapChannel, mapStatus, parseMetrics, reportMessages, resolveRange, scheduledOnToLocal, spanDays, splitWindows, trimRaw,
} from '../src/vendors/clevertap-map.js';
import { CT_CHANNEL_WORDS, CT_STATUS_WORDS } from '../src/sandbox/clevertap-data.js';

const NOW = new Date('2026-11-20T12:00:00Z');

describe('clevertap status and channel tables', () => {
  it('maps every list.json status word', () => {
    expect(Object.fromEntries(['scheduled', 'pending', 'running', 'paused', 'stopped', 'completed'].map((w) => [w, mapStatus(w)]))).toEqual({
      scheduled: 'scheduled', pending: 'scheduled', running: 'running', paused: 'paused', stopped: 'stopped', completed: 'completed',
    });
    expect(Object.keys(CLEVERTAP_STATUS)).toHaveLength(6);
    expect(mapStatus('awaiting_approval')).toBe('unknown');
    expect(mapStatus('RUNNING')).toBe('running');
    expect(mapStatus(undefined)).toBe('unknown');
  });

  it('maps every report.json channel word, and the sandbox words cover every normalized channel', () => {
    expect(mapChannel('push')).toBe('push');
    expect(mapChannel('browser')).toBe('webpush');
    expect(mapChannel('webhooks')).toBe('webhook');
    expect(mapChannel('app_inbox')).toBe('inbox');
    expect(mapChannel('web_pop_up')).toBe('inapp');
    expect(mapChannel('web_native_display')).toBe('other');
    expect(mapChannel('carrier_pigeon')).toBe('other');
    expect(mapChannel(42)).toBe('other');
    // Every report.json channel word the notes document (1(b) and the re-check), with its expected channel written out.
    const documented = ['push', 'email', 'sms', 'browser', 'audiences', 'inapp', 'webhooks', 'web_pop_up', 'web_exit_intent', 'web_native_display', 'web_inbox'];
    expect(Object.fromEntries(documented.map((w) => [w, mapChannel(w)]))).toEqual({
      push: 'push', email: 'email', sms: 'sms', browser: 'webpush', audiences: 'other', inapp: 'inapp', webhooks: 'webhook',
      web_pop_up: 'inapp', web_exit_intent: 'inapp', web_native_display: 'other', web_inbox: 'inbox',
    });
    expect(Object.keys(CLEVERTAP_CHANNEL)).toEqual(expect.arrayContaining(documented));
    expect(new Set(CT_CHANNEL_WORDS.map(mapChannel))).toEqual(new Set(CHANNELS));
    expect(new Set(CT_STATUS_WORDS.map(mapStatus))).toEqual(new Set(['scheduled', 'running', 'paused', 'stopped', 'completed', 'unknown']));
  });

  it('has a target_mode for each estimable channel and an operator for every profile op', () => {
    expect(CLEVERTAP_TARGET_MODE).toEqual({ push: 'push', email: 'email', sms: 'sms', webpush: 'webpush', whatsapp: 'whatsapp', webhook: 'webhook', inbox: 'notificationinbox' });
    expect(Object.fromEntries(PROFILE_OPS.map((op) => [op, CLEVERTAP_PROFILE_OP[op]]))).toEqual({
      equals: 'equals', not_equals: 'not_equals', contains: 'contains', greater_than: 'greater_than', less_than: 'less_than', exists: 'exists', not_exists: 'not_exists',
    });
  });
});

describe('clevertap dates', () => {
  it('turns scheduled_on into account-local time', () => {
    expect(scheduledOnToLocal(202504031544)).toBe('2025-04-03T15:44');
    expect(scheduledOnToLocal('201601011508')).toBe('2016-01-01T15:08');
    expect(scheduledOnToLocal(202502301544)).toBeUndefined();
    expect(scheduledOnToLocal(20250403)).toBeUndefined();
    expect(scheduledOnToLocal(null)).toBeUndefined();
  });

  it('resolves default and partial ranges and rejects reversed or bad days', () => {
    expect(resolveRange(undefined, undefined, NOW, 30)).toEqual({ from: '2026-10-22', to: '2026-11-20' });
    expect(spanDays('2026-10-22', '2026-11-20')).toBe(30);
    expect(resolveRange('2026-11-01', undefined, NOW, 30)).toEqual({ from: '2026-11-01', to: '2026-11-20' });
    expect(resolveRange(undefined, '2026-03-31', NOW, 30)).toEqual({ from: '2026-03-02', to: '2026-03-31' });
    expect(() => resolveRange('2026-11-10', '2026-11-01', NOW, 30)).toThrow(InputError);
    expect(() => resolveRange('2026-02-30', undefined, NOW, 30)).toThrow(/real day/);
  });

  it('splits a range into windows of at most 31 days, both ends counted, with no gap or overlap', () => {
    const w = splitWindows('2026-05-21', '2026-11-20', 31);
    expect(w).toHaveLength(6);
    expect(w[0]).toEqual({ from: '2026-05-21', to: '2026-06-20' });
    expect(w.at(-1)).toEqual({ from: '2026-10-23', to: '2026-11-20' });
    expect(w.reduce((n, x) => n + spanDays(x.from, x.to), 0)).toBe(spanDays('2026-05-21', '2026-11-20'));
    for (const x of w) expect(spanDays(x.from, x.to)).toBeLessThanOrEqual(31);
    expect(splitWindows('2026-11-20', '2026-11-20', 31)).toEqual([{ from: '2026-11-20', to: '2026-11-20' }]);
  });
});

describe('clevertap audienceToWhere', () => {
  it('maps an event with a default 30-day window and profile conditions', () => {
    expect(audienceToWhere({ event: { name: 'Added To Cart' }, profile: [{ field: 'Customer Type', op: 'equals', value: 'Platinum' }, { field: 'Email', op: 'exists' }] }, NOW)).toEqual({
      where: {
        event_name: 'Added To Cart', from: 20261022, to: 20261120,
        common_profile_properties: { profile_fields: [{ name: 'Customer Type', operator: 'equals', value: 'Platinum' }, { name: 'Email', operator: 'exists' }] },
      },
    });
    expect(audienceToWhere({ event: { name: 'Charged', from: '2026-11-01', to: '2026-11-07' } }, NOW)).toEqual({ where: { event_name: 'Charged', from: 20261101, to: 20261107 } });
  });

  it('maps all users, segments, and refuses what CleverTap cannot express', () => {
    expect(audienceToWhere({ all_users: true }, NOW)).toEqual({ where: {} });
    expect(audienceToWhere({ segment_id: '1042' }, NOW)).toEqual({ segment: 1042 });
    expect(() => audienceToWhere({ segment_id: 'vip' }, NOW)).toThrow(InputError);
    expect(() => audienceToWhere({ segment_id: '7', event: { name: 'Charged' } }, NOW)).toThrow(UnsupportedError);
    expect(() => audienceToWhere({ profile: [{ field: 'Age', op: 'greater_than' }] }, NOW)).toThrow(/needs a value/);
    expect(() => audienceToWhere({ event: { name: 'Charged', from: '2026-11-10', to: '2026-11-01' } }, NOW)).toThrow(InputError);
  });
});

describe('clevertap detail helpers', () => {
  it('reads report messages and counters leniently', () => {
    expect(reportMessages({ messages: [{ a: 1 }, null] })).toEqual([{ a: 1 }]);
    expect(reportMessages({ data: { list: [{ b: 2 }] } })).toEqual([{ b: 2 }]);
    expect(reportMessages({ status: 'success' })).toBeUndefined();
    expect(parseMetrics({ sent: 10, viewed: '4', clicks: 2, conversions: 1 })).toEqual({ sent: 10, opened: 4, clicked: 2, converted: 1 });
    expect(parseMetrics({ foo: 1 })).toBeUndefined();
  });

  it('describes targeting, excerpts content and trims raw records', () => {
    expect(describeWhere({ event_name: 'Charged', from: 20261001, to: 20261031, common_profile_properties: { profile_fields: [{ name: 'Tier', operator: 'equals', value: 'Gold' }] } }, undefined))
      .toBe('did Charged 2026-10-01..2026-10-31; Tier equals Gold');
    expect(describeWhere({}, undefined)).toBe('all users');
    expect(describeWhere(undefined, 1042)).toBe('segment 1042');
    const html = `<html><body><h1>Hi</h1><p>${'x'.repeat(500)}</p></body></html>`;
    const ex = excerpt({ subject: 'Sale', body: html });
    expect(ex!.length).toBeLessThanOrEqual(200);
    expect(ex).not.toContain('<');
    const raw = trimRaw({ body: html, list: Array.from({ length: 30 }, (_, i) => i) }) as { body: string; list: unknown[] };
    expect(raw.body).toMatch(/^Hi x+ \[\.\.\. 203 chars trimmed\]$/);
    expect(raw.list).toHaveLength(21);
  });

  it('builds regional base URLs', () => {
    expect(CLEVERTAP_REGIONS).toEqual(['in1', 'sg1', 'us1', 'aps3', 'mec1', 'eu1']);
    expect(clevertapBaseUrl('in1')).toBe('https://in1.api.clevertap.com');
    expect(clevertapBaseUrl('mec1')).toBe('https://mec1.api.clevertap.com');
    expect(clevertapBaseUrl('eu1')).toBe('https://api.clevertap.com');
    expect(clevertapBaseUrl()).toBe('https://api.clevertap.com');
    expect(clevertapBaseUrl('us1', 'http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
    expect(() => clevertapBaseUrl('sk1')).toThrow(InputError);
  });
});
