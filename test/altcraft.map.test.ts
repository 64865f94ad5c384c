import { describe, expect, it } from 'vitest';
import { CHANNELS, STATUSES } from '../src/domain.js';
import {
  MAILING_CHANNEL, MAILING_DELIVERY, MAILING_STATUS, SCAMPAIGN_STATUS, STATUS_TO_SCAMPAIGN_STATE, TOKEN_HINT, audienceLine, contentExcerpt,
  describeAltcraft, mailingChannel, mailingStatus, parseRef, scampaignStatus, scheduleStart, tagsOf, toStamp, trimRaw,
} from '../src/vendors/altcraft-map.js';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('altcraft status and channel tables', () => {
  it('maps every documented scampaign state', () => {
    expect(Object.keys(SCAMPAIGN_STATUS).sort()).toEqual(['active', 'cloning', 'completed', 'deleted', 'inactive', 'waiting']);
    expect(scampaignStatus('cloning', false)).toBe('unknown');
    expect(scampaignStatus('inactive', false)).toBe('draft');
    expect(scampaignStatus('inactive', true)).toBe('paused');
    expect(scampaignStatus('waiting', false)).toBe('scheduled');
    expect(scampaignStatus('active', true)).toBe('running');
    expect(scampaignStatus('completed', true)).toBe('completed');
    expect(scampaignStatus('deleted', false)).toBe('archived');
    expect(scampaignStatus('somethingnew', false)).toBe('unknown');
  });

  it('pushes each state-backed status to exactly the state that maps back to it', () => {
    for (const [status, state] of Object.entries(STATUS_TO_SCAMPAIGN_STATE)) {
      expect([scampaignStatus(state!, false), scampaignStatus(state!, true)]).toContain(status);
    }
    expect(STATUS_TO_SCAMPAIGN_STATE.unknown).toBeUndefined();
    expect(STATUS_TO_SCAMPAIGN_STATE.stopped).toBeUndefined();
  });

  it('maps every mailing status word onto a normalized status', () => {
    for (const s of Object.values(MAILING_STATUS)) expect(STATUSES).toContain(s);
    expect(mailingStatus({ status: 'Inactive' }, undefined, NOW)).toBe('draft');
    expect(mailingStatus({ status: 'Active' }, undefined, NOW)).toBe('running');
    expect(mailingStatus({ status: 'Sending' }, undefined, NOW)).toBe('running');
    expect(mailingStatus({ status: 'Completed' }, undefined, NOW)).toBe('completed');
    expect(mailingStatus({ status: 'Error' }, undefined, NOW)).toBe('failed');
    expect(mailingStatus({ status: 'Active', type: 'broadcast' }, '2026-12-01T10:00:00Z', NOW)).toBe('scheduled');
    expect(mailingStatus({ status: 'Active', type: 'regular' }, '2026-12-01T10:00:00Z', NOW)).toBe('running');
  });

  it('falls back on is_completed / is_active when no status word is given', () => {
    expect(mailingStatus({ is_active: true }, undefined, NOW)).toBe('running');
    expect(mailingStatus({ is_active: false }, undefined, NOW)).toBe('draft');
    expect(mailingStatus({ is_active: false, is_completed: true }, undefined, NOW)).toBe('completed');
    expect(mailingStatus({}, undefined, NOW)).toBe('unknown');
    expect(mailingStatus({ status: 'Whatever', is_active: true }, undefined, NOW)).toBe('running');
  });

  it('maps every channel word, unknown ones to other', () => {
    for (const c of Object.values(MAILING_CHANNEL)) expect(CHANNELS).toContain(c);
    expect(mailingChannel('email')).toBe('email');
    expect(mailingChannel('SMS')).toBe('sms');
    expect(mailingChannel('push')).toBe('push');
    expect(mailingChannel('whatsapp')).toBe('whatsapp');
    expect(mailingChannel('telegram')).toBe('other');
    expect(mailingChannel('carrier-pigeon')).toBe('other');
    expect(mailingChannel(undefined)).toBe('other');
    expect(MAILING_DELIVERY).toEqual({ broadcast: 'one_time', regular: 'recurring', trigger: 'triggered' });
  });
});

describe('altcraft mapping helpers', () => {
  it('parses prefixed ids only', () => {
    expect(parseRef('campaign-42')).toEqual({ kind: 'campaign', id: 42 });
    expect(parseRef('mailing-7')).toEqual({ kind: 'mailing', id: 7 });
    expect(parseRef('42')).toBeUndefined();
    expect(parseRef('campaign-x')).toBeUndefined();
  });

  it('writes every time as an instant with an offset, zoneless times read in the account zone', () => {
    expect(toStamp('2025-08-22T07:15:29.711Z')).toBe('2025-08-22T07:15:00Z');
    expect(toStamp('2025-08-23T10:36:25.099+03:00')).toBe('2025-08-23T07:36:00Z');
    expect(toStamp('2025-08-23T10:36:25.099+03:00', 'Europe/Moscow')).toBe('2025-08-23T10:36:00+03:00');
    expect(toStamp('2025-08-23 10:36:25')).toBe('2025-08-23T10:36:00Z');
    expect(toStamp('2025-08-23 10:36:25', 'Asia/Kolkata')).toBe('2025-08-23T10:36:00+05:30');
    expect(toStamp('2025-08-23', 'America/New_York')).toBe('2025-08-23T00:00:00-04:00');
    expect(toStamp(1_700_000_000)).toBe('2023-11-14T22:13:00Z');
    expect(toStamp('soon')).toBeUndefined();
    expect(scheduleStart({ type: 'once', start_time: '2026-01-02T13:00:00+03:00' })).toBe('2026-01-02T10:00:00Z');
  });

  it('describes audiences, content and tags', () => {
    expect(audienceLine({ data_type: 'segment', data_id: 104, resource_id: 2 })).toBe('segment 104, resource 2');
    expect(audienceLine({ data_type: 'list', data_id: 1 })).toBe('every subscriber of database 1');
    expect(audienceLine({ audience: { seg_id: 124, list_id: 49 } })).toBe('segment 124 of database 49');
    const excerpt = contentExcerpt([{ subject: 'Sale', html: `<p>Hello <b>you</b></p>${'x'.repeat(400)}` }])!;
    expect(excerpt.startsWith('Sale — Hello you')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(200);
    expect(tagsOf({ tags: ['a', 'b'], ui_tags: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(tagsOf({ tags: [] })).toBeUndefined();
  });

  it('trims raw records: HTML to 300 chars of text, arrays to 20 items', () => {
    const raw = trimRaw({ html: `<div>${'word '.repeat(200)}</div>`, ids: Array.from({ length: 25 }, (_, i) => i) }) as { html: string; ids: unknown[] };
    expect(raw.html).toMatch(/\[\.\.\. \d+ chars trimmed\]$/);
    expect(raw.html).not.toContain('<div>');
    expect(raw.ids).toHaveLength(21);
    expect(raw.ids[20]).toBe('[... 5 more items]');
  });

  it("turns Altcraft's error envelope into message, code and hint", () => {
    expect(describeAltcraft(401, { error: 401, error_text: 'Invalid token', data: null }, '')).toEqual({ message: 'Invalid token', code: 401, hint: TOKEN_HINT });
    expect(describeAltcraft(200, { error: 402, error_text: 'Tariff limit' }, '').hint).toMatch(/tariff/i);
    expect(describeAltcraft(502, undefined, '<html>bad</html>').message).toMatch(/HTML page/);
    expect(TOKEN_HINT).toContain('ALTCRAFT_API_TOKEN');
  });
});
