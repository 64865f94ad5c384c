// Times in an account's zone: every vendor stamp becomes one instant shown with its offset.
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets by zone and UTC hour, where the whole hour has one offset: listings and audits convert thousands of stamps. */
const offsets = new Map<string, number>();
const HOUR = 3_600_000;
/** An hour asked for once (read directly, cached on the next ask), and one holding a transition (always read directly). */
const SEEN = -Infinity;
const MIXED = Infinity;

/** Offset of `tz` from UTC at instant `ms`, exact to the second, read from Intl (the one place that does). */
function offsetMs(ms: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  for (const part of f.formatToParts(new Date(ms))) {
    const v = Number(part.value);
    switch (part.type) {
      case 'year': y = v; break;
      case 'month': mo = v; break;
      case 'day': d = v; break;
      case 'hour': h = v; break;
      case 'minute': mi = v; break;
      case 'second': sec = v; break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(y, mo - 1, d);
  wall.setUTCHours(h, mi, sec, 0);
  return wall.getTime() - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * offsetMs, from the hour's cached offset once an hour is asked for a second time (stamps spread over years each
 * cost one read), and only when the hour's first and last second agree (no transition inside it).
 */
function cachedOffsetMs(ms: number, tz: string): number {
  const hour = Math.floor(ms / HOUR);
  const key = `${tz}\u0000${hour}`;
  const hit = offsets.get(key);
  if (hit === MIXED) return offsetMs(ms, tz);
  if (hit !== undefined && hit !== SEEN) return hit;
  if (offsets.size >= 50_000) offsets.clear();
  if (hit === undefined) {
    offsets.set(key, SEEN);
    return offsetMs(ms, tz);
  }
  const first = offsetMs(hour * HOUR, tz);
  if (first !== offsetMs(hour * HOUR + HOUR - 1000, tz)) {
    offsets.set(key, MIXED);
    return offsetMs(ms, tz);
  }
  offsets.set(key, first);
  return first;
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (+330 for Asia/Kolkata). */
export function zoneOffsetMinutes(ms: number, tz: string): number {
  return Math.round(cachedOffsetMs(ms, tz) / 60_000);
}

/** An instant as `YYYY-MM-DDTHH:MM:00` wall time in `tz` (to the minute, RFC 3339) with its offset (`Z` when zero). */
export function formatInZone(ms: number, tz: string): string {
  const off = zoneOffsetMinutes(ms, tz);
  const wall = `${new Date(ms + off * 60_000).toISOString().slice(0, 16)}:00`;
  if (off === 0) return `${wall}Z`;
  const a = Math.abs(off);
  return `${wall}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The instant of a wall time (`YYYY-MM-DD[THH:MM[:SS]]`) in `tz`; NaN when it is not one. */
export function wallToInstant(wall: string, tz: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(wall);
  if (!m) return Number.NaN;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0);
  const guess = d.getTime();
  const first = guess - zoneOffsetMinutes(guess, tz) * 60_000;
  return guess - zoneOffsetMinutes(first, tz) * 60_000;
}

/** The account's calendar day (YYYY-MM-DD) of an instant. */
export function dayInZone(ms: number, tz: string): string {
  return formatInZone(ms, tz).slice(0, 10);
}

/**
 * Any vendor time as one instant with an offset, shown in the account's zone: epoch seconds or ms,
 * ISO with `Z`/offset (that instant), or a zoneless wall time or day (in `tz`). Undefined when unreadable.
 */
export function normalizeStamp(value: unknown, tz: string): string | undefined {
  let ms = Number.NaN;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) ms = value < 1e12 ? value * 1000 : value;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const v = value.trim().replace(' ', 'T');
    ms = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : wallToInstant(v, tz);
  }
  return Number.isNaN(ms) ? undefined : formatInZone(ms, tz);
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** The wall-clock time of an instant in an IANA zone, as if it were UTC (whole seconds). */
function wall(ms: number, timezone: string): number {
  return ms - (((ms % 1000) + 1000) % 1000) + cachedOffsetMs(ms, timezone);
}

/** An instant as `YYYY-MM-DDTHH:MM:00Z` (RFC 3339, to the minute), the form every adapter returns (string order is time order). */
export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}:00Z`;
}

/**
 * A vendor timestamp as an instant `YYYY-MM-DDTHH:MM:00Z` (RFC 3339, to the minute): with an offset it is that instant, without one
 * it is wall-clock time in `timezone` (the earlier reading in a DST overlap). Undefined when unparsable.
 */
export function toInstant(value: unknown, timezone = 'UTC'): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = STAMP.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((x) => Number(x ?? 0)) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  if (Number.isNaN(asUtc) || new Date(asUtc).getUTCDate() !== d || mo! > 12 || h > 23 || mi > 59) return undefined;
  const zone = m[7]?.toUpperCase();
  if (zone) {
    const off = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    return isoMinute(asUtc - off * 60_000);
  }
  if (timezone === 'UTC') return isoMinute(asUtc);
  let t = asUtc;
  for (let i = 0; i < 3; i++) {
    const shown = wall(t, timezone);
    if (shown === asUtc) break;
    t += asUtc - shown;
  }
  return isoMinute(t);
}

/** The calendar day (YYYY-MM-DD) an instant falls on in `timezone`: listing bounds are the account's days. */
export function localDay(instant: string, timezone = 'UTC'): string | undefined {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return undefined;
  return new Date(timezone === 'UTC' ? ms : wall(ms, timezone)).toISOString().slice(0, 10);
}
