import { InputError } from '../errors.js';
import { formatInZone, wallToInstant } from './common.js';

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

/** `YYYY-MM-DD HH:mm` of `at` in `timezone`. */
export function formatLocal(at: Date, timezone: string): string {
  return formatInZone(at.getTime(), timezone).slice(0, 16).replace('T', ' ');
}

/**
 * An ISO 8601 schedule as one instant: with an offset it is that instant, without one it is wall-clock
 * time in the account's zone. Omitted means now. A time in the past is a clear error.
 */
export function resolveSchedule(schedule: string | undefined, timezone: string, now: Date): ResolvedSchedule | 'now' {
  if (schedule === undefined || schedule.trim().toLowerCase() === 'now') return 'now';
  const m = ISO.exec(schedule.trim());
  if (!m) {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(schedule.trim());
    throw new InputError(day
      ? `schedule "${schedule}" is a day without a time of day: add one, e.g. ${schedule.trim()}T10:00 (the account's time, ${timezone}) or ${schedule.trim()}T10:00:00Z`
      : `schedule "${schedule}" is not ISO 8601: use e.g. 2026-12-02T10:00 (the account's time, ${timezone}) or 2026-12-02T10:00:00Z`);
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw new InputError(`schedule "${schedule}" is not a real date and time`);
  let at: Date;
  if (m[7]) {
    const [oh, om] = m[7] === 'Z' ? [0, 0] : [Number(m[7].slice(1, 3)), Number(m[7].slice(-2))];
    // No zone is more than 14 hours from UTC: "+25:00" is a typo, not an instant to schedule at.
    if (om > 59 || oh * 60 + om > 14 * 60) throw new InputError(`schedule "${schedule}" has no real UTC offset (${m[7]}): offsets run from -12:00 to +14:00`);
    const off = (m[7][0] === '-' ? -1 : 1) * (oh * 60 + om);
    at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - off * 60_000);
  } else at = new Date(wallToInstant(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`, timezone));
  if (Number.isNaN(at.getTime()) || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) throw new InputError(`schedule "${schedule}" is not a real date and time`);
  // A wall time the zone skips (clocks move forward that night) has no instant: any we picked would not be the
  // time asked for, and the preview would show another hour than the person wrote.
  if (!m[7] && formatLocal(at, timezone) !== `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`) {
    throw new InputError(`schedule ${schedule} does not exist in ${timezone}: the clocks skip that hour on ${m[1]}-${m[2]}-${m[3]}. Give a time outside the skipped hour, or an explicit offset`);
  }
  if (at.getTime() < now.getTime() - PAST_TOLERANCE_MS) {
    throw new InputError(`schedule ${schedule} (${formatLocal(at, timezone)} ${timezone}) is in the past; it is now ${formatLocal(now, timezone)} there. Give a future time or omit schedule to send now`);
  }
  return { at, local: formatLocal(at, timezone), utc: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), timezone };
}

/**
 * At confirmation: a schedule that was ahead at the preview may have passed since (the token lives for minutes).
 * Sent as is, a vendor would refuse it or send at once; neither is what was previewed, so it is a clear error.
 */
export function requireStillAhead(schedule: { local: string; utc: string; timezone: string } | 'now' | undefined, now: Date): void {
  if (!schedule || schedule === 'now') return;
  if (Date.parse(schedule.utc) >= now.getTime() - PAST_TOLERANCE_MS) return;
  throw new InputError(`the schedule ${schedule.local} ${schedule.timezone} (${schedule.utc}) passed since the preview; it is now ${formatLocal(now, schedule.timezone)} there, and nothing was written. `
    + 'Call again without confirm with a later schedule, or omit schedule to send now');
}
