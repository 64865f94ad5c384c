import type { CampaignDetail, CampaignSummary, Channel, Status } from '../domain.js';
import { clip, isObject, isoMinute, toInstant } from './common.js';
import { stripHtml, trimRaw } from './text.js';

export { stripHtml, trimRaw };

/** A loosely typed JSON object: MoEngage payloads are parsed leniently. */
export type Obj = Record<string, unknown>;

/** MoEngage status words (v1 answers Title case, v5 UPPERCASE; looked up upper-cased) onto normalized statuses. */
export const MOENGAGE_STATUS: Readonly<Record<string, Status>> = {
  ACTIVE: 'running', SENDING: 'running', SCHEDULED: 'scheduled', PAUSED: 'paused', SENT: 'completed',
  STOPPED: 'stopped', ARCHIVED: 'archived', DRAFT: 'draft',
};

/**
 * Normalized status onto the v1 `campaign_fields.status` word in the seed's own form: seed 002 documents
 * the filter as the words search returns ("For example, Active"); the OpenAPI's UPPERCASE is sent beside it
 * (moengage.ts), since an exact match on the other answers 200 with nothing. Missing where v1 cannot filter exactly (`running` also covers Sending, `draft` has
 * no v1 word): those are filtered locally, as every status is again after the answer.
 */
export const MOENGAGE_STATUS_FILTER: Readonly<Partial<Record<Status, string>>> = {
  scheduled: 'Scheduled', paused: 'Paused', completed: 'Sent', stopped: 'Stopped', archived: 'Archived',
};

/** MoEngage channel words onto normalized channels; anything else is `other`. */
export const MOENGAGE_CHANNEL: Readonly<Record<string, Channel>> = {
  PUSH: 'push', EMAIL: 'email', SMS: 'sms', WEB_PUSH: 'webpush', WEBPUSH: 'webpush', IN_APP: 'inapp',
  INAPP: 'inapp', WHATSAPP: 'whatsapp', CARDS: 'inbox', CONNECTORS: 'webhook',
};

/** Normalized channels v1 search can filter on (`channels` documents PUSH, EMAIL, SMS). */
export const MOENGAGE_CHANNEL_FILTER: Readonly<Partial<Record<Channel, string>>> = { push: 'PUSH', email: 'EMAIL', sms: 'SMS' };

/** campaign_delivery_type onto the delivery words CampaignDetail uses. */
export const MOENGAGE_DELIVERY: Readonly<Record<string, string>> = {
  ONE_TIME: 'one_time', PERIODIC: 'recurring', EVENT_TRIGGERED: 'triggered', BUSINESS_EVENT_TRIGGERED: 'triggered',
  DEVICE_TRIGGERED: 'triggered', LOCATION_TRIGGERED: 'triggered', API_TRIGGERED: 'api', BROADCAST_LIVE_ACTIVITY: 'live_activity',
};

/** The object itself when `v` is a plain object, else undefined. */
export function obj(v: unknown): Obj | undefined {
  return isObject(v) ? v : undefined;
}

/** A non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

/** Normalize a status word; unknown words stay visible as `unknown`. */
export function mapStatus(word: string | undefined): Status {
  return (word && MOENGAGE_STATUS[word.trim().toUpperCase()]) || 'unknown';
}

/** Normalize a channel word. */
export function mapChannel(word: string | undefined): Channel {
  return (word && MOENGAGE_CHANNEL[word.trim().toUpperCase().replace(/[\s-]/g, '_')]) || 'other';
}

/**
 * A MoEngage time ("2024-07-04 08:00:54.847000", "2024-07-04T20:32:00", with or without zone, epoch
 * seconds or ms) as an instant `YYYY-MM-DDTHH:MM:00Z` (RFC 3339, to the minute); a time without zone is read in `timezone`.
 */
export function moeTime(v: unknown, timezone = 'UTC'): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return isoMinute(v > 1e12 ? v : v * 1000);
  return toInstant(v, timezone);
}

/**
 * The zone of each zone-less time: scheduling start/expiry are UTC (notes §2 (e), "start_time/expiry_time
 * in UTC ISO") and sent_time equals start_time in seed 002's example, so UTC too, unless the campaign
 * sends in each user's zone (then read in the account's); created/updated times are undocumented, so
 * the account's zone.
 */
export function moeZones(item: Obj, timezone: string): { schedule: string; recorded: string } {
  const local = obj(obj(item.scheduling_details)?.user_timezone_details)?.send_in_user_timezone === true;
  return { schedule: local ? timezone : 'UTC', recorded: timezone };
}

/** The campaign id of a v1 (`campaign_id`) or v5 (`id`) item. */
export function campaignId(item: Obj): string | undefined {
  const v = item.campaign_id ?? item.id;
  return typeof v === 'number' ? String(v) : str(v);
}

/** A search or meta item as a tiny summary: never any content, so whole HTML bodies cannot leak into a listing. */
export function toSummary(item: Obj, account: string, timezone = 'UTC'): CampaignSummary | undefined {
  const id = campaignId(item);
  if (id === undefined) return undefined;
  const basic = obj(item.basic_details) ?? {};
  const word = str(item.status) ?? str(item.campaign_status);
  const sched = obj(item.scheduling_details);
  const zone = moeZones(item, timezone);
  const tags = (Array.isArray(basic.tags) ? basic.tags : Array.isArray(item.campaign_tags) ? item.campaign_tags : []).filter(
    (t): t is string => typeof t === 'string' && t.length > 0,
  );
  const s: CampaignSummary = {
    vendor: 'moengage', account, id,
    name: str(basic.name) ?? str(item.campaign_name) ?? str(item.name) ?? '(unnamed)',
    status: mapStatus(word),
    channel: mapChannel(str(item.channel)),
  };
  if (word) s.vendor_status = word;
  const created = moeTime(item.created_at, zone.recorded);
  const scheduled = moeTime(sched?.start_time, zone.schedule) ?? moeTime(item.sent_time, zone.schedule) ?? moeTime(item.campaign_start_time, zone.schedule);
  if (created) s.created_at = created;
  if (scheduled) s.scheduled_at = scheduled;
  if (tags.length) s.tags = tags;
  return s;
}

/** The full detail of a search item: summary plus audit facts and a short stripped excerpt. */
export function toDetail(summary: CampaignSummary, item: Obj, reach?: { count: number; at?: string }, timezone = 'UTC'): CampaignDetail {
  const d: CampaignDetail = { ...summary };
  const type = str(item.campaign_delivery_type);
  if (type) d.delivery = MOENGAGE_DELIVERY[type.toUpperCase()] ?? type.toLowerCase();
  let audience = describeAudience(item.segmentation_details);
  if (reach) audience = `${audience ?? 'Audience'} (reachable ≈ ${reach.count.toLocaleString('en-US')}${reach.at ? ` as of ${reach.at}` : ''})`;
  if (audience) d.audience = audience;
  const content = contentExcerpt(item.campaign_content, str(item.channel));
  if (content) d.content = content;
  const cg = obj(item.control_group_details);
  if (cg) d.control_group = cg.is_campaign_control_group_enabled === true || cg.is_global_control_group_enabled === true;
  const ignore = obj(item.delivery_controls)?.ignore_frequency_capping;
  if (typeof ignore === 'boolean') d.respects_frequency_caps = !ignore;
  const schedule = describeSchedule(item, timezone);
  if (schedule) d.schedule = schedule;
  const updated = moeTime(item.updated_at, timezone);
  if (updated) d.updated_at = updated;
  const dc = obj(item.delivery_controls);
  if (typeof dc?.bypass_dnd === 'boolean') d.bypasses_dnd = dc.bypass_dnd;
  if (typeof dc?.campaign_throttle_rpm === 'number') d.throttle_per_minute = dc.campaign_throttle_rpm;
  const goals = obj(item.conversion_goal_details)?.goals;
  if (Array.isArray(goals)) d.conversion_goal = goals.length > 0;
  const links = contentLinks(item.campaign_content);
  if (links.length) d.links = links;
  if (reach) d.reachable = reach.count;
  return d;
}

/** Distinct http(s) link targets (href attributes and url fields) in campaign_content, at most 20. */
export function contentLinks(content: unknown): string[] {
  const text = JSON.stringify(content ?? '');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:href=\\?"|"url":")(https?:\/\/[^"\\\s<>]+)/gi)) {
    found.add(m[1]!.replace(/&amp;/g, '&'));
    if (found.size >= 20) break;
  }
  return [...found];
}

function describeSchedule(item: Obj, timezone: string): CampaignDetail['schedule'] {
  const sd = obj(item.scheduling_details);
  const local = obj(sd?.user_timezone_details)?.send_in_user_timezone === true;
  const zone = moeZones(item, timezone).schedule;
  const start = moeTime(sd?.start_time, zone);
  const end = moeTime(sd?.expiry_time, zone);
  const p = obj(sd?.periodic_details);
  const freq = str(p?.sending_frequency)?.toLowerCase();
  const every = typeof p?.repeat_frequency === 'number' && p.repeat_frequency > 1 ? ` every ${p.repeat_frequency}` : '';
  const times = typeof p?.no_of_occurences === 'number' ? `, ${p.no_of_occurences} times` : '';
  const event = pickText(obj(item.trigger_condition), ['action_name', 'event_name']);
  const base = freq ? `${freq}${every}${times}` : event ? `on event "${event}"` : undefined;
  const recurrence = local ? `${base ? `${base}, ` : ''}at that time in each user's zone (shown in the account's)` : base;
  if (!start && !end && !recurrence) return undefined;
  return { ...(start && { start }), ...(end && { end }), ...(recurrence && { recurrence }) };
}

/** segmentation_details as one line: "All users", or the filters joined by their operator. */
export function describeAudience(seg: unknown): string | undefined {
  const s = obj(seg);
  if (!s) return undefined;
  if (s.is_all_user_campaign === true) return 'All users';
  const inc = describeFilters(s.included_filters);
  const exc = describeFilters(s.excluded_filters);
  const line = `${inc ? `Users where ${inc}` : 'Filtered users'}${exc ? `; excluding ${exc}` : ''}`;
  return clip(line, 200);
}

function describeFilters(group: unknown): string | undefined {
  const g = obj(group);
  const list = Array.isArray(g?.filters) ? g.filters : [];
  if (!list.length) return undefined;
  return list.map(describeFilter).join(` ${str(g?.filter_operator) ?? 'and'} `);
}

function describeFilter(x: unknown): string {
  const f = obj(x) ?? {};
  if (Array.isArray(f.filters)) return `(${describeFilters(f) ?? ''})`;
  const not = f.negate === true ? 'not ' : '';
  if (f.filter_type === 'user_attributes') {
    const value = f.value === undefined ? '' : ` ${JSON.stringify(f.value)}`;
    return `${not}${str(f.name) ?? 'attribute'} ${str(f.operator) ?? 'is'}${value}`;
  }
  if (f.filter_type === 'actions') {
    const ex = obj(f.execution);
    const count = typeof ex?.count === 'number' ? ` ${str(ex.type) ?? 'atleast'} ${ex.count}x` : '';
    return `${f.executed === false ? 'did not do' : 'did'} "${str(f.action_name) ?? 'event'}"${count}`;
  }
  if (f.filter_type === 'custom_segments') return `${not}in segment "${str(f.name) ?? str(f.id) ?? '?'}"`;
  return str(f.name) ?? str(f.filter_type) ?? 'a filter';
}

/** The default locale's message as "subject/title — body", HTML stripped, at most 200 chars. */
export function contentExcerpt(campaignContent: unknown, channel?: string): string | undefined {
  const c = obj(obj(campaignContent)?.content);
  if (!c) return undefined;
  const ch = (channel ?? '').toLowerCase();
  const firstLocale = Object.values(c).map(obj).find((v) => v !== undefined);
  const msg = obj(c[ch]) ?? obj(obj(c.default)?.[ch]) ?? obj(c.default) ?? obj(firstLocale?.[ch]) ?? firstLocale;
  if (!msg) return undefined;
  const head = pickText(msg, ['subject', 'title']);
  const body = pickText(msg, ['html_content', 'message', 'body', 'text', 'content']);
  const line = [head, body && stripHtml(body)].filter((s): s is string => !!s).join(' — ');
  return line ? clip(line, 200) : undefined;
}

function pickText(o: Obj | undefined, keys: string[], depth = 0): string | undefined {
  if (!o) return undefined;
  for (const k of keys) if (str(o[k])) return o[k] as string;
  if (depth >= 3) return undefined;
  for (const v of Object.values(o)) {
    const found = pickText(obj(v), keys, depth + 1);
    if (found) return found;
  }
  return undefined;
}
