import { InputError } from '../errors.js';

/** A schedule resolved to one instant, shown in the account's zone and in UTC. */
export interface ResolvedSchedule {
  at: Date;
  /** Wall-clock time in the account's zone, `YYYY-MM-DD HH:mm`. */
  local: string;
  utc: string;
  timezone: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** A schedule this close to now counts as now (the person's clock and ours differ a little). */
const PAST_TOLERANCE_MS = 60_000;

/** Wall-clock parts of `at` in `timezone`. */
export function wallClock(at: Date, timezone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** `YYYY-MM-DD HH:mm` of `at` in `timezone`. */
export function formatLocal(at: Date, timezone: string): string {
  const w = wallClock(at, timezone);
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  return `${p(w.y, 4)}-${p(w.mo)}-${p(w.d)} ${p(w.h)}:${p(w.mi)}`;
}

/** The instant at which the wall clock in `timezone` reads the given time (the earlier one in a DST overlap). */
export function zonedToInstant(y: number, mo: number, d: number, h: number, mi: number, s: number, timezone: string): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(new Date(t), timezone);
    const shown = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
    if (shown === guess) break;
    t += guess - shown;
  }
  return new Date(t);
}

/**
 * An ISO 8601 schedule as one instant: with an offset it is that instant, without one it is wall-clock
 * time in the account's zone. Omitted means now. A time in the past is a clear error.
 */
export function resolveSchedule(schedule: string | undefined, timezone: string, now: Date): ResolvedSchedule | 'now' {
  if (schedule === undefined || schedule.trim().toLowerCase() === 'now') return 'now';
  const m = ISO.exec(schedule.trim());
  if (!m) throw new InputError(`schedule "${schedule}" is not ISO 8601: use e.g. 2026-12-02T10:00 (the account's time, ${timezone}) or 2026-12-02T10:00:00Z`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw new InputError(`schedule "${schedule}" is not a real date and time`);
  let at: Date;
  if (m[7]) {
    const off = m[7] === 'Z' ? 0 : (m[7][0] === '-' ? -1 : 1) * (Number(m[7].slice(1, 3)) * 60 + Number(m[7].slice(-2)));
    at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - off * 60_000);
  } else at = zonedToInstant(y, mo, d, h, mi, s, timezone);
  if (Number.isNaN(at.getTime()) || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) throw new InputError(`schedule "${schedule}" is not a real date and time`);
  if (at.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
    throw new InputError(`schedule ${schedule} (${formatLocal(at, timezone)} ${timezone}) is in the past; it is now ${formatLocal(now, timezone)} there. Give a future time or omit schedule to send now`);
  }
  return { at, local: formatLocal(at, timezone), utc: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), timezone };
}
