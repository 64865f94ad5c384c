import { createHash } from 'node:crypto';
import { compareNewestFirst, type CampaignSummary, type VendorId } from '../domain.js';
import { VendorError } from '../errors.js';
import { statusError } from '../http-errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.js';
import type { ListQuery } from './vendor.js';
import { dayInZone } from './zones.js';

export { dayInZone, formatInZone, isoMinute, localDay, normalizeStamp, toInstant, wallToInstant, zoneOffsetMinutes } from './zones.js';

export { clip } from './text.js';

/** A plain JSON object, as vendor records are read. */
export type Rec = Record<string, unknown>;

/** CleverTap regions with their own host (notes 1 Common); eu1 is the default host api.clevertap.com. */
export const CLEVERTAP_REGIONS = ['in1', 'sg1', 'us1', 'aps3', 'mec1', 'eu1'] as const;

/** MoEngage data centers with a REST host `https://api-<dc>.moengage.com` (notes §2 Common). */
export const MOENGAGE_DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const;

/**
 * Which vendor project an account reaches: a digest of its host and of what selects the project there (an
 * account or workspace id, or the key where the key is what names it). A confirm token binds it, so a write
 * previewed on one project never acts on another reached under the same account label (two servers sharing a
 * data directory, credentials changed between preview and confirm). Nothing can be read back from it.
 */
export function projectDigest(vendor: VendorId, base: string, ...selectors: string[]): string {
  return createHash('sha256').update(JSON.stringify([vendor, base.toLowerCase(), ...selectors])).digest('base64url').slice(0, 22);
}

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

/**
 * The one local filter of a complete listing: status, channel, text in name or tags, from/to as the account's days
 * (on scheduled_at, else created_at; a campaign with neither is outside any range); sorted newest first.
 */
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
