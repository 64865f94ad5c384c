import { describe, expect, it } from 'vitest';
import { CHANNELS, STATUSES } from '../src/domain.js';
import { InputError } from '../src/errors.js';
import {
  MOENGAGE_CHANNEL, MOENGAGE_CHANNEL_FILTER, MOENGAGE_STATUS, MOENGAGE_STATUS_FILTER, contentExcerpt, describeAudience, mapChannel,
  mapStatus, moeTime, stripHtml, toDetail, toSummary, trimRaw,
} from '../src/vendors/moengage-map.js';
import { sumStats } from '../src/vendors/moengage-stats.js';
import { describeMoeError, moengageBaseUrl } from '../src/vendors/moengage.js';
import { classifyMoe } from '../src/vendors/moengage-errors.js';

describe('moengage status and channel tables', () => {
  it('maps every v1 Title-case and v5 UPPERCASE status word', () => {
    const expected: Record<string, string> = {
      Active: 'running', Sending: 'running', Scheduled: 'scheduled', Paused: 'paused', Sent: 'completed',
      Stopped: 'stopped', Archived: 'archived', Draft: 'draft',
    };
    for (const [word, status] of Object.entries(expected)) {
      expect(mapStatus(word)).toBe(status);
      expect(mapStatus(word.toUpperCase())).toBe(status);
    }
    expect(Object.keys(MOENGAGE_STATUS).sort()).toEqual(Object.keys(expected).map((w) => w.toUpperCase()).sort());
    expect(mapStatus('Queued')).toBe('unknown');
    expect(mapStatus(undefined)).toBe('unknown');
    for (const s of Object.values(MOENGAGE_STATUS)) expect(STATUSES).toContain(s);
  });

  it('pushes only statuses v1 can filter exactly', () => {
    // Seed 002: the status filter takes the words search returns ("For example, Active"), not UPPERCASE.
    expect(MOENGAGE_STATUS_FILTER).toEqual({ scheduled: 'Scheduled', paused: 'Paused', completed: 'Sent', stopped: 'Stopped', archived: 'Archived' });
    for (const [status, word] of Object.entries(MOENGAGE_STATUS_FILTER)) expect(mapStatus(word)).toBe(status);
  });

  it('maps channels leniently', () => {
    expect(['PUSH', 'EMAIL', 'SMS', 'WEB_PUSH', 'web-push', 'IN_APP', 'INAPP', 'WHATSAPP', 'CARDS'].map(mapChannel)).toEqual([
      'push', 'email', 'sms', 'webpush', 'webpush', 'inapp', 'inapp', 'whatsapp', 'inbox',
    ]);
    expect(mapChannel('FAX')).toBe('other');
    for (const c of Object.values(MOENGAGE_CHANNEL)) expect(CHANNELS).toContain(c);
    expect(MOENGAGE_CHANNEL_FILTER).toEqual({ push: 'PUSH', email: 'EMAIL', sms: 'SMS' });
  });
});

describe('moengage time, summary and detail', () => {
  it('formats the documented time shapes', () => {
    expect(moeTime('2024-07-04 08:00:54.847000')).toBe('2024-07-04T08:00:00Z');
    expect(moeTime('2024-07-04T20:32:00')).toBe('2024-07-04T20:32:00Z');
    expect(moeTime('2024-07-04 08:00:54.847000', 'Asia/Kolkata')).toBe('2024-07-04T02:30:00Z');
    expect(moeTime('2024-07-04T20:32:00', 'America/New_York')).toBe('2024-07-05T00:32:00Z');
    expect(moeTime('2024-07-04T20:32:00+05:30')).toBe('2024-07-04T15:02:00Z');
    expect(moeTime('2024-07-04T20:32:00Z')).toBe('2024-07-04T20:32:00Z');
    expect(moeTime(1720080000)).toBe('2024-07-04T08:00:00Z');
    expect(moeTime('yesterday')).toBeUndefined();
  });

  const item = {
    campaign_id: 'c1', status: 'Active', channel: 'EMAIL', campaign_delivery_type: 'PERIODIC', created_at: '2024-07-04 08:00:54.847000',
    sent_time: '2024-07-05 20:32:00', updated_at: '2024-07-04 09:00:00',
    basic_details: { name: 'happy flow', tags: ['activation', ''] },
    scheduling_details: { start_time: '2024-07-04T20:32:00', expiry_time: '2034-06-07T20:32:00', periodic_details: { sending_frequency: 'MONTHLY', repeat_frequency: 2, no_of_occurences: 3 } },
    control_group_details: { is_global_control_group_enabled: false, is_campaign_control_group_enabled: false },
    delivery_controls: { ignore_frequency_capping: true },
    segmentation_details: { is_all_user_campaign: false, included_filters: { filter_operator: 'and', filters: [{ filter_type: 'user_attributes', name: 'u_em', operator: 'exists', negate: false }] } },
    campaign_content: { content: { fr: { email: { subject: 'Salut' } }, email: { subject: 'Hello', html_content: `<html><head><style>p{}</style></head><body><p>Big&nbsp;sale</p>${'<p>x</p>'.repeat(5000)}</body></html>` } } },
  };

  it('builds a tiny summary with no content', () => {
    const s = toSummary(item, 'default')!;
    expect(s).toEqual({
      vendor: 'moengage', account: 'default', id: 'c1', name: 'happy flow', status: 'running', vendor_status: 'Active', channel: 'email',
      created_at: '2024-07-04T08:00:00Z', scheduled_at: '2024-07-04T20:32:00Z', tags: ['activation'],
    });
    expect(toSummary({ id: 7, campaign_name: 'meta', campaign_status: 'SENT', channel: 'SMS', campaign_tags: [] }, 'a')).toEqual({
      vendor: 'moengage', account: 'a', id: '7', name: 'meta', status: 'completed', vendor_status: 'SENT', channel: 'sms',
    });
    expect(toSummary({ status: 'Sent' }, 'a')).toBeUndefined();
  });

  it('reads zone-less times as instants: created in the account zone, documented-UTC schedule times as UTC', () => {
    const s = toSummary(item, 'default', 'Asia/Kolkata')!;
    expect([s.created_at, s.scheduled_at]).toEqual(['2024-07-04T02:30:00Z', '2024-07-04T20:32:00Z']);
    const local = { ...item, scheduling_details: { ...item.scheduling_details, user_timezone_details: { send_in_user_timezone: true } } };
    const d = toDetail(toSummary(local, 'default', 'Asia/Kolkata')!, local, undefined, 'Asia/Kolkata');
    expect([d.scheduled_at, d.schedule!.start, d.updated_at]).toEqual(['2024-07-04T15:02:00Z', '2024-07-04T15:02:00Z', '2024-07-04T03:30:00Z']);
    expect(d.schedule!.recurrence).toMatch(/each user's zone/);
    for (const t of [s.created_at, s.scheduled_at, d.updated_at, d.schedule!.end]) expect(t).toMatch(/T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
  });

  it('builds the detail an audit needs', () => {
    const d = toDetail(toSummary(item, 'default')!, item, { count: 12345, at: '2024-07-03' });
    expect(d.delivery).toBe('recurring');
    expect(d.audience).toBe('Users where u_em exists (reachable ≈ 12,345 as of 2024-07-03)');
    expect(d.content).toMatch(/^Hello — Big sale x x/);
    expect(d.content!.length).toBeLessThanOrEqual(200);
    expect(d.control_group).toBe(false);
    expect(d.respects_frequency_caps).toBe(false);
    expect(d.schedule).toEqual({ start: '2024-07-04T20:32:00Z', end: '2034-06-07T20:32:00Z', recurrence: 'monthly every 2, 3 times' });
    expect(d.updated_at).toBe('2024-07-04T09:00:00Z');
  });

  it('describes audiences in one line', () => {
    expect(describeAudience({ is_all_user_campaign: true })).toBe('All users');
    expect(
      describeAudience({
        included_filters: {
          filter_operator: 'or',
          filters: [
            { filter_type: 'actions', action_name: 'Added To Cart', execution: { type: 'atleast', count: 2 } },
            { filter_type: 'custom_segments', name: 'VIP' },
          ],
        },
        excluded_filters: { filters: [{ filter_type: 'user_attributes', name: 'city', operator: 'is', value: 'Paris' }] },
      }),
    ).toBe('Users where did "Added To Cart" atleast 2x or in segment "VIP"; excluding city is "Paris"');
  });

  it('finds push content nested per platform', () => {
    expect(contentExcerpt({ content: { push: { android: { title: 'Sale', message: 'Tap now' } } } }, 'PUSH')).toBe('Sale — Tap now');
    expect(contentExcerpt({ content: { sms: { message: 'Hi' } } }, 'SMS')).toBe('Hi');
  });
});

describe('moengage HTML and raw trimming', () => {
  it('strips head, style, template logic and entities', () => {
    expect(stripHtml('<html><head><title>T</title></head><body><style>a{}</style><p>A &amp; B</p>{% if x %}<b>C</b>{% endif %}</body>')).toBe('A & B C');
  });

  it('trims HTML bodies to 300 chars of text and long arrays to 20', () => {
    const html = `<html><body>${'<p>word</p>'.repeat(2000)}</body></html>`;
    const out = trimRaw({ a: { html_content: html }, list: Array.from({ length: 30 }, (_, i) => i) }) as { a: { html_content: string }; list: unknown[] };
    expect(out.a.html_content.startsWith('word word')).toBe(true);
    expect(out.a.html_content).toContain(`[... ${stripHtml(html).length - 300} chars trimmed]`);
    expect(out.a.html_content.length).toBeLessThan(360);
    expect(out.list).toHaveLength(21);
    expect(out.list[20]).toBe('[... 10 more items]');
  });
});

describe('moengage errors inside a 200', () => {
  it('gives each envelope the status the client classifies it as', () => {
    expect(classifyMoe([{ campaign_id: 'c1' }])).toBeUndefined();
    expect(classifyMoe({ status: 'Success', requestId: 'r', cid: 'c' })).toBeUndefined();
    expect(classifyMoe({ status: 'Fail', Error_Message: 'Signature is not verified' })).toBe(401);
    expect(classifyMoe({ error: { code: '500 Internal Server Error', message: 'Something went wrong' } })).toBe(500);
    expect(classifyMoe({ error: { code: '429 conflict', message: 'rate_limit' } })).toBe(429);
    expect(classifyMoe({ status: 'fail', error: { message: 'Invalid filter', type: 'ValidationError' } })).toBe(400);
  });
});

describe('moengage stats and errors', () => {
  it('sums platforms, locales and variations but skips control groups', () => {
    const ps = (sent: number, impression: number, click: number, failed: number) => ({ performance_stats: { attempted: sent + failed, sent, failed, impression, click } });
    const entry = [{
      platforms: {
        android: { locales: { all_locales: { variations: { 'Variation 1': ps(10, 5, 1, 1), 'Variation 2': ps(20, 8, 2, 0), campaign_control_group: ps(999, 999, 999, 999) } } } },
        ios: { locales: { en: { variations: { all_variations: ps(5, 2, 1, 0), global_control_group: ps(7, 7, 7, 7) } }, fr: { variations: { all_variations: ps(1, 1, 0, 0) } } } },
      },
    }];
    expect(sumStats(entry)).toEqual({
      metrics: { sent: 36, opened: 16, clicked: 4, failed: 1 },
      by_platform: { android: { sent: 30, opened: 13, clicked: 3, failed: 1 }, ios: { sent: 6, opened: 3, clicked: 1, failed: 0 } },
    });
    expect(sumStats([{ platforms: {} }])).toBeUndefined();
  });

  it('reads every documented error envelope', () => {
    expect(describeMoeError(400, { error: { code: '400 Bad Request', message: 'request_id key is mandatory field', target: 'request_id' } }, '')).toEqual({
      message: 'request_id key is mandatory field (field request_id)', code: '400 Bad Request',
    });
    expect(describeMoeError(401, { error: { code: '401 Authentication error', message: 'Authentication required' } }, '').hint).toMatch(/MOENGAGE_API_KEY/);
    expect(describeMoeError(400, { status: 'fail', error: { message: 'bad', type: 'ValidationError' } }, '')).toEqual({ message: 'bad', code: 'ValidationError' });
    expect(describeMoeError(404, { response_id: 'r', error: { code: 'NOT_FOUND', message: 'gone' } }, '').message).toBe('gone');
    expect(describeMoeError(400, { title: 'Bad Request', description: 'span too long', code: 400 }, '')).toEqual({ message: 'Bad Request: span too long', code: 400 });
    expect(describeMoeError(429, { error: { code: '429 conflict', message: 'rate_limit' } }, '')).toEqual({ message: 'rate_limit', code: '429 conflict' });
    expect(describeMoeError(502, undefined, '<html>oops</html>').message).toMatch(/HTML page/);
  });

  it('builds data-center hosts leniently', () => {
    expect(moengageBaseUrl()).toBe('https://api-01.moengage.com');
    expect(['1', '01', 'dc-02', 'DC-02', '101', 'DC-101'].map((d) => moengageBaseUrl(d))).toEqual([
      'https://api-01.moengage.com', 'https://api-01.moengage.com', 'https://api-02.moengage.com', 'https://api-02.moengage.com',
      'https://api-101.moengage.com', 'https://api-101.moengage.com',
    ]);
    expect(moengageBaseUrl('07', 'http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
    expect(() => moengageBaseUrl('07')).toThrow(InputError);
  });
});
