import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareNewestFirst, type CampaignSummary } from '../src/domain.js';
import { dayInZone, formatInZone, normalizeStamp, wallToInstant, zoneOffsetMinutes } from '../src/vendors/common.js';

const c = (id: string, scheduled_at: string): CampaignSummary => ({ vendor: 'clevertap', id, name: id, status: 'scheduled', channel: 'push', scheduled_at });

describe('times are instants', () => {
  it('sorts newest first by instant, whatever the offsets', () => {
    const india = c('india', '2026-11-20T10:00:00+05:30'); // 04:30Z
    const utc = c('utc', '2026-11-20T05:00:00Z');
    const ny = c('ny', '2026-11-19T23:30:00-05:00'); // 04:30Z next day UTC: the same instant as india
    expect([india, utc, ny].sort(compareNewestFirst).map((x) => x.id)).toEqual(['utc', 'india', 'ny']);
  });

  it('reads wall times in a zone and writes them with its offset, across DST', () => {
    expect(formatInZone(wallToInstant('2026-07-01T09:00', 'Europe/Paris'), 'Europe/Paris')).toBe('2026-07-01T09:00:00+02:00');
    expect(formatInZone(wallToInstant('2026-01-01T09:00', 'Europe/Paris'), 'Europe/Paris')).toBe('2026-01-01T09:00:00+01:00');
    expect(new Date(wallToInstant('2026-11-20T10:00', 'Asia/Kolkata')).toISOString()).toBe('2026-11-20T04:30:00.000Z');
    expect(dayInZone(Date.parse('2026-11-20T20:00:00Z'), 'Asia/Kolkata')).toBe('2026-11-21');
    expect(normalizeStamp('2025-08-23T10:36:25.099+0300', 'UTC')).toBe('2025-08-23T07:36:00Z');
    expect(normalizeStamp(1_700_000_000, 'UTC')).toBe('2023-11-14T22:13:00Z');
    expect(normalizeStamp('soon', 'UTC')).toBeUndefined();
  });
});

describe('zone offsets (cached by hour) agree with Intl across transitions', () => {
  /** The offset as Intl's longOffset names it (GMT+05:45, GMT-03:30, GMT), independently of the code under test. */
  const named = new Map<string, Intl.DateTimeFormat>();
  const intl = (ms: number, tz: string) => {
    if (!named.has(tz)) named.set(tz, new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }));
    const name = named.get(tz)!.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')!.value;
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name)!;
    return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  // Transition days of zones with hour, half-hour and quarter-hour offsets and a 30-minute DST (Lord Howe).
  const days: Array<[string, string]> = [
    ['America/New_York', '2026-03-08'], ['America/New_York', '2026-11-01'], ['Europe/London', '2026-03-29'], ['Europe/London', '2026-10-25'],
    ['Australia/Lord_Howe', '2026-04-05'], ['Australia/Lord_Howe', '2026-10-04'], ['America/St_Johns', '2026-03-08'], ['Asia/Kathmandu', '2026-06-01'],
  ];
  it.each(days)('%s around %s, every other minute, asked in random order', (tz, day) => {
    const start = Date.parse(`${day}T00:00:00Z`) - 14 * 3_600_000;
    const minutes = Array.from({ length: 52 * 30 }, (_, i) => start + i * 120_000 + (i % 7) * 1_000);
    for (let i = minutes.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [minutes[i], minutes[j]] = [minutes[j]!, minutes[i]!];
    }
    const wrong = minutes.filter((ms) => zoneOffsetMinutes(ms, tz) !== intl(ms, tz)).map((ms) => new Date(ms).toISOString());
    expect(wrong).toEqual([]);
  });
});

describe('layering', () => {
  it('the CleverTap and Altcraft simulators never import adapter code', () => {
    const dir = new URL('../src/sandbox/', import.meta.url);
    const files = readdirSync(dir).filter((f) => /^(clevertap|altcraft)/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const imports = [...readFileSync(new URL(f, dir), 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      expect(imports.filter((i) => /vendors\//.test(i!)), f).toEqual([]);
    }
  });
});
