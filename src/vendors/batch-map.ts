import type { CampaignSummary, Channel, Status } from '../domain.js';
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

const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A Batch timestamp as `YYYY-MM-DDTHH:MMZ`; zone-less values are UTC (MEP sends none). */
export function batchUtc(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME.exec(value.trim());
  if (!m) return undefined;
  if (!m[5] || m[5] === 'Z') return `${m[1]}T${m[2]}Z`;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? undefined : `${d.toISOString().slice(0, 16)}Z`;
}

/** A `local_push_time` as `YYYY-MM-DDTHH:MM`: each user's local time, so no zone. */
export function batchLocal(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME.exec(value.trim());
  return m ? `${m[1]}T${m[2]}` : undefined;
}

function ms(minute: string | undefined): number | undefined {
  if (!minute) return undefined;
  const t = Date.parse(minute.endsWith('Z') ? minute : `${minute}Z`);
  return Number.isNaN(t) ? undefined : t;
}

/** The start instant used for status (a local time is compared as if UTC: off by at most 14 h). */
export function batchStart(rec: BatchCampaignRecord): string | undefined {
  return batchUtc(rec.push_time) ?? batchLocal(rec.local_push_time);
}

function isLive(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === 1) return true;
  if (v === false || v === 'false' || v === 0) return false;
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Derive the state of a record at `now` (see BATCH_STATUS). */
export function batchState(rec: BatchCampaignRecord, now: Date): BatchState {
  const live = isLive(rec.live);
  if (live === undefined) return 'unknown';
  const start = ms(batchStart(rec));
  const when = start === undefined ? 'none' : start > now.getTime() ? 'future' : 'past';
  if (!live) return `not-live:${when}`;
  if (isObject(rec.trigger)) return 'live:trigger';
  if (when === 'future') return 'live:future';
  if (isObject(rec.recurrence)) {
    const end = ms(batchUtc(rec.recurrence.end_date));
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
export function toBatchSummary(rec: BatchCampaignRecord, account: string, now: Date): CampaignSummary {
  const s: CampaignSummary = {
    vendor: 'batch',
    account,
    id: rec.campaign_token,
    name: typeof rec.name === 'string' && rec.name ? rec.name : '(unnamed)',
    status: BATCH_STATUS[batchState(rec, now)],
    vendor_status: batchVendorStatus(rec),
    channel: batchChannel(rec),
  };
  const created = batchUtc(rec.created_date);
  const scheduled = batchStart(rec);
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
export function batchSchedule(rec: BatchCampaignRecord): { start?: string; end?: string; recurrence?: string } | undefined {
  const out: { start?: string; end?: string; recurrence?: string } = {};
  const start = batchStart(rec);
  if (start) out.start = start;
  const r = rec.recurrence;
  if (isObject(r)) {
    const end = batchUtc(r.end_date);
    if (end) out.end = end;
    const unit = typeof r.repeat_unit === 'string' ? r.repeat_unit.toLowerCase().replace(/ly$/, '').replace(/^dai$/, 'day') : undefined;
    const n = typeof r.repeat_frequency === 'number' ? r.repeat_frequency : 1;
    if (unit) out.recurrence = n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
  }
  if (isObject(rec.trigger)) {
    const ev = rec.trigger.event;
    out.recurrence = typeof ev === 'string' ? `on event ${ev}` : 'on trigger';
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

function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
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
  if (q !== undefined) parts.push(`query ${cut(queryText(q), 120)}`);
  const line = parts.length ? parts.join('; ') : 'all users';
  return cut(rec.dev_only ? `${line} (dev builds only)` : line, 200);
}

/** "title — body" of the first message (or the in-app landing), HTML stripped, at most 200 chars. */
export function batchContent(rec: BatchCampaignRecord): string | undefined {
  const m: Record<string, unknown> = (Array.isArray(rec.messages) && isObject(rec.messages[0]) ? rec.messages[0] : undefined)
    ?? (isObject(rec.landing) ? rec.landing : {});
  const text = [m.title, m.body].filter((x): x is string => typeof x === 'string' && x.trim() !== '').map(stripHtml).join(' — ');
  return text ? cut(text, 200) : undefined;
}

