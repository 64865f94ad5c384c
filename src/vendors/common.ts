import { compareNewestFirst, type CampaignSummary, type VendorId } from '../domain.js';
import { VendorError } from '../errors.js';
import { statusError } from '../http-errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.js';
import type { ListQuery } from './vendor.js';

export { clip } from './text.js';

/** A plain JSON object, as vendor records are read. */
export type Rec = Record<string, unknown>;

/** CleverTap regions with their own host (notes 1 Common); eu1 is the default host api.clevertap.com. */
export const CLEVERTAP_REGIONS = ['in1', 'sg1', 'us1', 'aps3', 'mec1', 'eu1'] as const;

/** MoEngage data centers with a REST host `https://api-<dc>.moengage.com` (notes §2 Common). */
export const MOENGAGE_DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const;

/** True for a plain (non-array) object. */
export function isObject(v: unknown): v is Rec {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The value when it is a plain object, else an empty one: undocumented shapes are read leniently. */
export function obj(v: unknown): Rec {
  return isObject(v) ? v : {};
}

/** A finite number from a number or a numeric string; undefined otherwise (`?? 0` where a counter is meant). */
export function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** An answer that is not the documented shape: a VendorError naming what was wrong, so drift surfaces. */
export function shapeError(vendor: VendorId, message: string, hint = 'The API may have changed, or a proxy answered; report this if it persists.', retryable = false): VendorError {
  return new VendorError({ vendor, message, hint, retryable });
}

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

/** An instant as `YYYY-MM-DDTHH:MM` wall time in `tz` with its offset (`Z` when zero). */
export function formatInZone(ms: number, tz: string): string {
  const off = zoneOffsetMinutes(ms, tz);
  const wall = new Date(ms + off * 60_000).toISOString().slice(0, 16);
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

/** Filter a complete listing locally (status, channel, text in name or tags, account days) and sort newest first. */
export function filterLocal(campaigns: CampaignSummary[], q: ListQuery, tz: string, options: { tags?: boolean } = {}): CampaignSummary[] {
  const text = q.query?.toLowerCase();
  const day = (c: CampaignSummary) => {
    const s = c.scheduled_at ?? c.created_at;
    const ms = s ? Date.parse(s) : Number.NaN;
    return Number.isNaN(ms) ? undefined : dayInZone(ms, tz);
  };
  return campaigns
    .filter((c) => {
      if (q.status && c.status !== q.status) return false;
      if (q.channel && c.channel !== q.channel) return false;
      if (q.from || q.to) {
        const d = day(c);
        if (!d || (q.from && d < q.from) || (q.to && d > q.to)) return false;
      }
      return !text || c.name.toLowerCase().includes(text) || (options.tags !== false && !!c.tags?.some((t) => t.toLowerCase().includes(text)));
    })
    .sort(compareNewestFirst);
}

/**
 * Send through the client and treat a 2xx whose body `req.classify` calls an error exactly as the
 * client treats that status (a 5xx on a write is `unknown`), so adapters never re-derive errors from bodies.
 */
export async function sendClassified(http: HttpClient, req: HttpRequest): Promise<HttpResponse> {
  const res = await http.send(req);
  const effective = res.status >= 200 && res.status < 300 ? req.classify?.(res.body) : undefined;
  if (effective !== undefined) throw statusError(req, { ...res, status: effective });
  return res;
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** The wall-clock time of an instant in an IANA zone, as if it were UTC (whole seconds). */
function wall(ms: number, timezone: string): number {
  return ms - (((ms % 1000) + 1000) % 1000) + cachedOffsetMs(ms, timezone);
}

/** An instant as `YYYY-MM-DDTHH:MMZ`, the form every adapter returns (string order is time order). */
export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/**
 * A vendor timestamp as an instant `YYYY-MM-DDTHH:MMZ`: with an offset it is that instant, without one
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

/** Newest first by instant (scheduled, else created), ties by vendor/account/id. */
export function byNewest(a: CampaignSummary, b: CampaignSummary): number {
  const ta = Date.parse(a.scheduled_at ?? a.created_at ?? '') || 0;
  const tb = Date.parse(b.scheduled_at ?? b.created_at ?? '') || 0;
  return ta !== tb ? tb - ta : compareNewestFirst(a, b);
}

/**
 * The one local filter: status, channel, name/tag text and from/to (the account's days, on scheduled_at,
 * else created_at; a campaign with neither is outside any range), sorted newest first.
 */
export function filterLocally(list: readonly CampaignSummary[], q: ListQuery, timezone = 'UTC'): CampaignSummary[] {
  const text = q.query?.toLowerCase();
  return list
    .filter((c) => {
      if (q.status && c.status !== q.status) return false;
      if (q.channel && c.channel !== q.channel) return false;
      if (text && !c.name.toLowerCase().includes(text) && !(c.tags ?? []).some((t) => t.toLowerCase().includes(text))) return false;
      if (!q.from && !q.to) return true;
      const when = c.scheduled_at ?? c.created_at;
      const day = when && localDay(when, timezone);
      return !!day && !(q.from && day < q.from) && !(q.to && day > q.to);
    })
    .sort(byNewest);
}

/** How far a paged listing may go before it stops and says so. */
export interface PageBudget {
  maxPages: number;
  deadlineMs: number;
}

/** The warning a listing carries when its page budget stopped it before the vendor's last page. */
export function budgetWarning(pages: number, found: number, reason: 'pages' | 'deadline', narrow: string): string {
  const why = reason === 'pages' ? `the ${pages}-page limit` : `the time limit after ${pages} pages`;
  return `listing stopped at ${why} (${found} campaigns read); older campaigns may be missing. ${narrow}`;
}
