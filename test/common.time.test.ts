import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareNewestFirst, type CampaignSummary } from '../src/domain.js';
import { dayInZone, formatInZone, normalizeStamp, wallToInstant } from '../src/vendors/common.js';

const c = (id: string, scheduled_at: string): CampaignSummary => ({ vendor: 'clevertap', id, name: id, status: 'scheduled', channel: 'push', scheduled_at });

describe('times are instants', () => {
  it('sorts newest first by instant, whatever the offsets', () => {
    const india = c('india', '2026-11-20T10:00+05:30'); // 04:30Z
    const utc = c('utc', '2026-11-20T05:00Z');
    const ny = c('ny', '2026-11-19T23:30-05:00'); // 04:30Z next day UTC: the same instant as india
    expect([india, utc, ny].sort(compareNewestFirst).map((x) => x.id)).toEqual(['utc', 'india', 'ny']);
  });

  it('reads wall times in a zone and writes them with its offset, across DST', () => {
    expect(formatInZone(wallToInstant('2026-07-01T09:00', 'Europe/Paris'), 'Europe/Paris')).toBe('2026-07-01T09:00+02:00');
    expect(formatInZone(wallToInstant('2026-01-01T09:00', 'Europe/Paris'), 'Europe/Paris')).toBe('2026-01-01T09:00+01:00');
    expect(new Date(wallToInstant('2026-11-20T10:00', 'Asia/Kolkata')).toISOString()).toBe('2026-11-20T04:30:00.000Z');
    expect(dayInZone(Date.parse('2026-11-20T20:00:00Z'), 'Asia/Kolkata')).toBe('2026-11-21');
    expect(normalizeStamp('2025-08-23T10:36:25.099+0300', 'UTC')).toBe('2025-08-23T07:36Z');
    expect(normalizeStamp(1_700_000_000, 'UTC')).toBe('2023-11-14T22:13Z');
    expect(normalizeStamp('soon', 'UTC')).toBeUndefined();
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
