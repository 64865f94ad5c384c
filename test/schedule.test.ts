import { describe, expect, it } from 'vitest';
import { resolveSchedule } from '../src/vendors/schedule.js';

const now = new Date('2026-12-01T20:00:00Z');

describe('resolveSchedule', () => {
  it('reads a time without offset in the account zone', () => {
    expect(resolveSchedule('2026-12-02T10:00', 'Asia/Kolkata', now)).toEqual({
      at: new Date('2026-12-02T04:30:00Z'), local: '2026-12-02 10:00', utc: '2026-12-02T04:30:00Z', timezone: 'Asia/Kolkata',
    });
    expect(resolveSchedule('2026-12-02 10:00', 'America/New_York', now)).toMatchObject({ utc: '2026-12-02T15:00:00Z' });
  });
  it('takes an offset as that instant, whatever the zone', () => {
    expect(resolveSchedule('2026-12-02T10:00:00+02:00', 'Asia/Kolkata', now)).toMatchObject({ utc: '2026-12-02T08:00:00Z', local: '2026-12-02 13:30' });
    expect(resolveSchedule('2026-12-02T10:00:00Z', 'UTC', now)).toMatchObject({ utc: '2026-12-02T10:00:00Z' });
  });
  it('reads the minutes of an offset, east and west of UTC', () => {
    expect(resolveSchedule('2026-12-02T10:00:00+05:30', 'UTC', now)).toMatchObject({ utc: '2026-12-02T04:30:00Z' });
    expect(resolveSchedule('2026-12-02T10:00+0530', 'UTC', now)).toMatchObject({ utc: '2026-12-02T04:30:00Z' });
    expect(resolveSchedule('2026-12-02T10:00:00-03:30', 'Asia/Kolkata', now)).toMatchObject({ utc: '2026-12-02T13:30:00Z', local: '2026-12-02 19:00' });
  });
  it('handles a DST day', () => {
    expect(resolveSchedule('2027-03-28T12:00', 'Europe/Paris', now)).toMatchObject({ utc: '2027-03-28T10:00:00Z' });
    expect(resolveSchedule('2027-01-28T12:00', 'Europe/Paris', now)).toMatchObject({ utc: '2027-01-28T11:00:00Z' });
  });
  it('omitted is now; past, malformed and impossible times are clear errors', () => {
    expect(resolveSchedule(undefined, 'UTC', now)).toBe('now');
    expect(() => resolveSchedule('2026-12-01T10:00', 'UTC', now)).toThrow(/in the past/);
    expect(() => resolveSchedule('tomorrow 10am', 'UTC', now)).toThrow(/not ISO 8601/);
    expect(() => resolveSchedule('2026-12-20', 'Asia/Kolkata', now)).toThrow(/a day without a time of day: add one, e\.g\. 2026-12-20T10:00 \(the account's time, Asia\/Kolkata\)/);
    expect(() => resolveSchedule('2027-02-30T10:00', 'UTC', now)).toThrow(/not a real date/);
  });
});
