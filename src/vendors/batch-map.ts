import type { CampaignSummary, Channel, Status } from '../domain.js';
import { clip, isObject, toInstant } from './common.js';
import { stripHtml, trimRaw } from './text.js';

export { stripHtml, trimRaw };

/**
 * One MEP 1.1 campaign as campaigns/list and campaigns/{token} return it (seed 003, notes §3b).
 * Everything but the token is optional: responses are parsed leniently.
 */
export interface BatchCampaignRecord {
  campaign_token: string;
  name?: string;
  live?: boolean;
  from_api?: boolean;
  dev_only?: boolean;
  created_date?: string;
  push_time?: string;
  local_push_time?: string;
  recurrence?: { end_date?: string; repeat_unit?: string; repeat_frequency?: number };
  trigger?: Record<string, unknown>;
  capping?: number;
  labels?: string[];
  query?: unknown;
  targeting?: Record<string, unknown>;
  messages?: Array<{ language?: string; title?: string; body?: string }>;
  landing?: Record<string, unknown>;
  type?: string;
  deeplink?: string;
  custom_payload?: string;
  [key: string]: unknown;
}

/**
 * Where a campaign stands: the list has no status field, so it is derived from `live` (the only
 * documented flag), `trigger`, `recurrence` and the start time compared with now.
 */
export type BatchState =
  | 'live:trigger' | 'live:future' | 'live:past' | 'live:none' | 'live:recurring-active' | 'live:recurring-ended'
  | 'not-live:future' | 'not-live:past' | 'not-live:none' | 'unknown';

/**
 * State -> normalized status. live=true is "running or completed" (seed 003), live=false is
 * "stopped and draft": never sent or starting later is a draft, a start time in the past a stop.
 * A live campaign with no start time was pushed "now" at creation, so it is completed.
 */
export const BATCH_STATUS: Readonly<Record<BatchState, Status>> = {
  'live:trigger': 'running',
  'live:future': 'scheduled',
  'live:past': 'completed',
  'live:none': 'completed',
  'live:recurring-active': 'running',
  'live:recurring-ended': 'completed',
  'not-live:future': 'draft',
  'not-live:past': 'stopped',
  'not-live:none': 'draft',
  unknown: 'unknown',
};

/** Which value of the list's `live` filter can only contain a given normalized status (seed 003). */
export const BATCH_LIVE_FILTER: Readonly<Partial<Record<Status, boolean>>> = {
  scheduled: true, running: true, completed: true, draft: false, stopped: false,
};

/** Channel hints a record may carry; MEP campaigns are push unless they carry an in-app landing. */
export const BATCH_CHANNELS: Readonly<Record<string, Channel>> = {
  push: 'push', 'in-app': 'inapp', inapp: 'inapp', in_app: 'inapp', landing: 'inapp',
};

/**
 * A Batch timestamp as an instant `YYYY-MM-DDTHH:MM:00Z` (RFC 3339, to the minute), a zone-less one read in `timezone` (an explicit offset wins).
 * MEP documents no zone (seed 003, notes §3), but it gives `local_push_time` beside `push_time` for "each user's
 * clock", so `push_time` and `created_date` are absolute: read in UTC, as campaigns/create is written (batch-write-map).
 */
export function batchInstant(value: unknown, timezone = 'UTC'): string | undefined {
  return toInstant(value, timezone);
}

/**
 * The start instant: `push_time`, else `local_push_time` (each user's own clock; read in the account's
 * zone, so at most a day off for users elsewhere, and said so in the schedule).
 */
export function batchStart(rec: BatchCampaignRecord, timezone = 'UTC'): string | undefined {
  return batchInstant(rec.push_time) ?? batchInstant(rec.local_push_time, timezone);
}

const ms = (instant: string | undefined) => (instant === undefined ? undefined : Date.parse(instant));

function isLive(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === 1) return true;
  if (v === false || v === 'false' || v === 0) return false;
  return undefined;
}

/** Derive the state of a record at `now` (see BATCH_STATUS). */
export function batchState(rec: BatchCampaignRecord, now: Date, timezone = 'UTC'): BatchState {
  const live = isLive(rec.live);
  if (live === undefined) return 'unknown';
  const start = ms(batchStart(rec, timezone));
  const when = start === undefined ? 'none' : start > now.getTime() ? 'future' : 'past';
  if (!live) return `not-live:${when}`;
  if (isObject(rec.trigger)) return 'live:trigger';
  if (when === 'future') return 'live:future';
  if (isObject(rec.recurrence)) {
    const end = ms(batchInstant(rec.recurrence.end_date, timezone));
    return end === undefined || end > now.getTime() ? 'live:recurring-active' : 'live:recurring-ended';
  }
  return `live:${when}`;
}

/** The compact vendor word kept next to the normalized status: live, live/trigger, not-live/recurring... */
export function batchVendorStatus(rec: BatchCampaignRecord): string {
  const live = isLive(rec.live);
  if (live === undefined) return 'unknown';
  const base = live ? 'live' : 'not-live';
  if (isObject(rec.trigger)) return `${base}/trigger`;
  return isObject(rec.recurrence) ? `${base}/recurring` : base;
}

/** Normalized channel: an explicit type or a landing means in-app, anything else is push. */
export function batchChannel(rec: BatchCampaignRecord): Channel {
  const hinted = typeof rec.type === 'string' ? BATCH_CHANNELS[rec.type.toLowerCase()] : undefined;
  return hinted ?? (isObject(rec.landing) ? 'inapp' : 'push');
}

/** The tiny listing form; `labels` (MEP's own tags) become tags, dev_only/from_api are left out. */
export function toBatchSummary(rec: BatchCampaignRecord, account: string, now: Date, timezone = 'UTC'): CampaignSummary {
  const s: CampaignSummary = {
    vendor: 'batch',
    account,
    id: rec.campaign_token,
    name: typeof rec.name === 'string' && rec.name ? rec.name : '(unnamed)',
    status: BATCH_STATUS[batchState(rec, now, timezone)],
    vendor_status: batchVendorStatus(rec),
    channel: batchChannel(rec),
  };
  const created = batchInstant(rec.created_date);
  const scheduled = batchStart(rec, timezone);
  if (created) s.created_at = created;
  if (scheduled) s.scheduled_at = scheduled;
  const tags = Array.isArray(rec.labels) ? rec.labels.filter((l): l is string => typeof l === 'string' && l !== '') : [];
  if (tags.length) s.tags = tags;
  return s;
}

/** Check one list/get item and return it typed, or say what is wrong with it. */
export function asBatchRecord(v: unknown): BatchCampaignRecord | string {
  if (!isObject(v)) return 'an item is not an object';
  if (typeof v.campaign_token !== 'string' || !v.campaign_token) return 'an item has no campaign_token';
  return v as BatchCampaignRecord;
}

/** one_time, recurring or triggered (the shared delivery words of CampaignDetail). */
export function batchDelivery(rec: BatchCampaignRecord): string {
  if (isObject(rec.trigger)) return 'triggered';
  return isObject(rec.recurrence) ? 'recurring' : 'one_time';
}

/**
 * MEP `capping` caps how many times one user can get this (recurring or triggered) campaign; the
 * app-wide marketing pressure rules live on dashboard labels, which the API does not expose. So:
 * a positive capping => true, a repeating campaign without one => false (nothing limits repeats),
 * a one-time send => undefined (each user gets it once; a cap says nothing).
 */
export function batchRespectsCaps(rec: BatchCampaignRecord): boolean | undefined {
  if (typeof rec.capping === 'number' && rec.capping > 0) return true;
  return batchDelivery(rec) === 'one_time' ? undefined : false;
}

/** Start, end and repetition in words, from push_time/local_push_time and recurrence. */
export function batchSchedule(rec: BatchCampaignRecord, timezone = 'UTC'): { start?: string; end?: string; recurrence?: string } | undefined {
  const out: { start?: string; end?: string; recurrence?: string } = {};
  const start = batchStart(rec, timezone);
  if (start) out.start = start;
  const r = rec.recurrence;
  if (isObject(r)) {
    const end = batchInstant(r.end_date, timezone);
    if (end) out.end = end;
    const unit = typeof r.repeat_unit === 'string' ? r.repeat_unit.toLowerCase().replace(/ly$/, '').replace(/^dai$/, 'day') : undefined;
    const n = typeof r.repeat_frequency === 'number' ? r.repeat_frequency : 1;
    if (unit) out.recurrence = n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
  }
  if (isObject(rec.trigger)) {
    const ev = rec.trigger.event;
    out.recurrence = typeof ev === 'string' ? `on event ${ev}` : 'on trigger';
  }
  if (batchInstant(rec.push_time) === undefined && start) {
    out.recurrence = `${out.recurrence ? `${out.recurrence}, ` : ''}at that time in each user's zone (shown in the account's)`;
  }
  return Object.keys(out).length ? out : undefined;
}

function queryText(q: unknown, depth = 0): string {
  if (depth > 4) return '…';
  if (Array.isArray(q)) return q.map((x) => queryText(x, depth + 1)).join(', ');
  if (!isObject(q)) return JSON.stringify(q) ?? '';
  return Object.entries(q)
    .map(([k, v]) => {
      if ((k === '$and' || k === '$or') && Array.isArray(v)) {
        return `(${v.map((x) => queryText(x, depth + 1)).join(k === '$and' ? ' AND ' : ' OR ')})`;
      }
      if (k === '$not') return `NOT ${queryText(v, depth + 1)}`;
      if (isObject(v)) return Object.entries(v).map(([op, x]) => `${k} ${op.replace(/^\$/, '')} ${JSON.stringify(x)}`).join(' AND ');
      return `${k} = ${JSON.stringify(v)}`;
    })
    .join(' AND ');
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** One line saying who is targeted: segments, custom audiences, languages/regions, query; else all users. */
export function batchAudience(rec: BatchCampaignRecord): string {
  const t = isObject(rec.targeting) ? rec.targeting : {};
  const parts: string[] = [];
  const segs = strings(t.segments);
  if (segs.length) parts.push(`segments ${segs.join(', ')}`);
  const aud = strings(t.custom_audiences);
  if (aud.length) parts.push(`custom audiences ${aud.join(', ')}`);
  for (const key of ['languages', 'regions', 'platforms'] as const) {
    const v = strings(t[key]);
    if (v.length) parts.push(`${key} ${v.join(', ')}`);
  }
  const q = t.query ?? rec.query;
  if (q !== undefined) parts.push(`query ${clip(queryText(q), 120)}`);
  const line = parts.length ? parts.join('; ') : 'all users';
  return clip(rec.dev_only ? `${line} (dev builds only)` : line, 200);
}

/** "title — body" of the first message (or the in-app landing), HTML stripped, at most 200 chars. */
export function batchContent(rec: BatchCampaignRecord): string | undefined {
  const m: Record<string, unknown> = (Array.isArray(rec.messages) && isObject(rec.messages[0]) ? rec.messages[0] : undefined)
    ?? (isObject(rec.landing) ? rec.landing : {});
  const text = [m.title, m.body].filter((x): x is string => typeof x === 'string' && x.trim() !== '').map(stripHtml).join(' — ');
  return text ? clip(text, 200) : undefined;
}

