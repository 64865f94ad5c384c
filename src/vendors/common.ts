import { compareNewestFirst, type CampaignSummary, type VendorId } from '../domain.js';
import { VendorError } from '../errors.js';
import type { ListQuery } from './vendor.js';
import { clip } from './text.js';

export { clip };

/** A plain JSON object, as vendor records are read. */
export type Rec = Record<string, unknown>;

/** CleverTap regions with their own host (notes 1 Common); eu1 is the default host api.clevertap.com. */
export const CLEVERTAP_REGIONS = ['in1', 'sg1', 'us1', 'aps3', 'mec1', 'eu1'] as const;

/** True for a plain (non-array) object. */
export function isObject(v: unknown): v is Rec {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The value when it is a plain object, else an empty one: undocumented shapes are read leniently. */
export function obj(v: unknown): Rec {
  return isObject(v) ? v : {};
}

/** A finite number from a number or a numeric string. */
export function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** An answer that is not the documented shape: a VendorError naming what was wrong, so drift surfaces. */
export function shapeError(vendor: VendorId, message: string, hint: string, retryable = false): VendorError {
  return new VendorError({ vendor, message, hint, retryable });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC at instant `ms`, in minutes (+330 for Asia/Kolkata). */
export function zoneOffsetMinutes(ms: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = new Date(0);
  wall.setUTCFullYear(Number(p.year), Number(p.month) - 1, Number(p.day));
  wall.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second), 0);
  return Math.round((wall.getTime() - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
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
