import type { CampaignSummary, VendorId } from '../domain.js';
import { compareNewestFirst } from '../domain.js';
import { VendorError } from '../errors.js';
import { statusError } from '../http-errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.js';
import type { ListQuery } from './vendor.js';

export { clip } from './text.js';

/** MoEngage data centers with a REST host `https://api-<dc>.moengage.com` (notes §2 Common). */
export const MOENGAGE_DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const;

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number from a number or numeric string, else 0: vendor counters are parsed leniently. */
export function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

/** A vendor answer that is not the documented shape, so an API change surfaces instead of a wrong result. */
export function shapeError(vendor: VendorId, what: string, hint = 'The API may have changed, or a proxy answered; report this if it persists.'): VendorError {
  return new VendorError({ vendor, status: 200, code: 'BAD_RESPONSE', message: what, hint });
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

/** Wall-clock parts of an instant in an IANA zone. */
function wall(ms: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
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
