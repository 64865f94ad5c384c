import { isRealDay, type Audience, type Channel, type Metrics, type Status } from '../domain.js';
import { InputError, UnsupportedError } from '../errors.js';
import { dayInZone, formatInZone, wallToInstant } from './common.js';
import { stripHtml, trimRaw } from './text.js';

export { stripHtml, trimRaw };

/** list.json status words (seed 000) onto normalized statuses; `pending` is a not-yet-started schedule. */
export const CLEVERTAP_STATUS: Readonly<Record<string, Status>> = {
  scheduled: 'scheduled', pending: 'scheduled', running: 'running', paused: 'paused', stopped: 'stopped', completed: 'completed',
};

/** report.json channel words (notes 1(b) and the re-check) onto normalized channels; unknown words are `other`. */
export const CLEVERTAP_CHANNEL: Readonly<Record<string, Channel>> = {
  push: 'push', email: 'email', sms: 'sms', browser: 'webpush', webpush: 'webpush',
  inapp: 'inapp', in_app: 'inapp', web_pop_up: 'inapp', web_exit_intent: 'inapp',
  webhooks: 'webhook', webhook: 'webhook', whatsapp: 'whatsapp',
  app_inbox: 'inbox', notificationinbox: 'inbox', web_inbox: 'inbox', web_native_display: 'other', audiences: 'other',
};

/** Normalized channel onto create.json `target_mode` (seed 001); inapp/other have none. */
export const CLEVERTAP_TARGET_MODE: Readonly<Partial<Record<Channel, string>>> = {
  push: 'push', email: 'email', sms: 'sms', webpush: 'webpush', whatsapp: 'whatsapp', webhook: 'webhook', inbox: 'notificationinbox',
};

/**
 * Normalized profile ops onto `profile_fields[].operator`. Seed 001 shows only `equals` (and
 * `greater_than_equals` in advanced_query); the other names are kept as-is [U].
 */
export const CLEVERTAP_PROFILE_OP: Readonly<Record<string, string>> = {
  equals: 'equals', not_equals: 'not_equals', contains: 'contains', greater_than: 'greater_than',
  less_than: 'less_than', exists: 'exists', not_exists: 'not_exists',
};

/** A vendor status word as a normalized status; unknown words are `unknown` (the word is kept elsewhere). */
export function mapStatus(word: unknown): Status {
  return typeof word === 'string' ? (CLEVERTAP_STATUS[word.toLowerCase()] ?? 'unknown') : 'unknown';
}

/** A report.json channel word as a normalized channel. */
export function mapChannel(word: unknown): Channel {
  return typeof word === 'string' ? (CLEVERTAP_CHANNEL[word.toLowerCase()] ?? 'other') : 'other';
}

/** The account's day (YYYY-MM-DD) at `now`: list windows are the account's days. */
export function today(now: Date, tz = 'UTC'): string {
  return dayInZone(now.getTime(), tz);
}

const FIRST_DAY_MS = Date.parse('0000-01-01T00:00:00Z');
const LAST_DAY_MS = Date.parse('9999-12-31T00:00:00Z');

/** Shift a YYYY-MM-DD day by `n` days, clamped to years 0000-9999 so days always compare correctly as strings. */
export function addDay(day: string, n: number): string {
  const ms = Math.min(LAST_DAY_MS, Math.max(FIRST_DAY_MS, Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));
  return new Date(ms).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both ends counted. */
export function spanDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** YYYY-MM-DD as CleverTap's YYYYMMDD integer. */
export function dayToInt(day: string): number {
  return Number(day.replaceAll('-', ''));
}

/** `scheduled_on` (YYYYMMDDHHMM, account-local) as wall time `YYYY-MM-DDTHH:MM`; undefined when it is not that shape. */
export function scheduledOnToLocal(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m || !isRealDay(`${m[1]}-${m[2]}-${m[3]}`) || Number(m[4]) > 23 || Number(m[5]) > 59) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`;
}

/** Account wall time `YYYY-MM-DDTHH:MM` as the instant it names, with the zone's offset (seed 000: "local time"). */
export function wallToStamp(wall: string, tz: string): string {
  return formatInZone(wallToInstant(wall, tz), tz);
}

/**
 * An inclusive day range from optional ends: none => the `days` ending today, plus `ahead` days to come
 * (scheduled campaigns); only `from` => through `ahead` days past the later of from and today; only `to` =>
 * the `days` ending there. Invalid or reversed => InputError.
 */
export function resolveRange(from: string | undefined, to: string | undefined, now: Date, days: number, ahead = 0, tz = 'UTC'): { from: string; to: string } {
  for (const [k, v] of [['from', from], ['to', to]] as const) {
    // Four-digit years from 0001: year 0000 and 5-digit or signed years are refused, so days compare correctly as strings.
    if (v !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(v) && v >= '0001-01-01' && isRealDay(v))) throw new InputError(`${k} must be a real day as YYYY-MM-DD (years 0001-9999), got "${v}"`);
  }
  const day = today(now, tz);
  const end = to ?? addDay(from && from > day ? from : day, ahead);
  const start = from ?? addDay(to ?? day, -(days - 1));
  if (start > end) throw new InputError(`from (${start}) is after to (${end})`);
  return { from: start, to: end };
}

/** Split an inclusive range into consecutive windows of at most `maxDays` days, oldest first. */
export function splitWindows(from: string, to: string, maxDays: number): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (let start = from; start <= to; start = addDay(start, maxDays)) {
    const end = addDay(start, maxDays - 1);
    out.push({ from: start, to: end < to ? end : to });
    if (end >= to) break;
  }
  return out;
}

/** The create.json targeting for an audience: `where` filters, or a saved `segment` instead of `where`. */
export interface CleverTapTargeting {
  where?: Record<string, unknown>;
  segment?: number;
}

/** Map a normalized audience onto create.json `where` (seed 001); event windows default to the last 30 days. */
export function audienceToWhere(audience: Audience, now: Date, tz = 'UTC'): CleverTapTargeting {
  const filters = Boolean(audience.event || audience.profile?.length);
  if (audience.segment_id !== undefined) {
    if (!/^\d+$/.test(audience.segment_id)) throw new InputError(`CleverTap segment_id must be an integer, got "${audience.segment_id}"`);
    if (filters) {
      throw new UnsupportedError('clevertap', 'CleverTap targets a saved segment instead of event/profile filters ("you do not need to mention where when using segment"), so combining them could silently drop the filters. Use segment_id alone, or event/profile conditions alone.');
    }
    return { segment: Number(audience.segment_id) };
  }
  if (audience.all_users || !filters) return { where: {} };
  const where: Record<string, unknown> = {};
  if (audience.event) {
    const r = resolveRange(audience.event.from, audience.event.to, now, 30, 0, tz);
    Object.assign(where, { event_name: audience.event.name, from: dayToInt(r.from), to: dayToInt(r.to) });
  }
  if (audience.profile?.length) {
    const profile_fields = audience.profile.map((p) => {
      const operator = CLEVERTAP_PROFILE_OP[p.op];
      if (!operator) throw new InputError(`profile op ${p.op} has no CleverTap operator`);
      if (p.op !== 'exists' && p.op !== 'not_exists' && p.value === undefined) throw new InputError(`profile condition on "${p.field}" (${p.op}) needs a value`);
      return p.op === 'exists' || p.op === 'not_exists' ? { name: p.field, operator } : { name: p.field, operator, value: p.value };
    });
    where.common_profile_properties = { profile_fields };
  }
  return where.event_name || where.common_profile_properties ? { where } : { where: {} };
}

/** The smallest valid content per target_mode (seed 001 examples); nothing is sent with estimate_only. */
export function estimateContent(targetMode: string): Record<string, unknown> {
  const title = 'campaign-mcp reach estimate';
  const body = 'Reach estimate only; nothing is sent.';
  switch (targetMode) {
    case 'email':
      return { content: { subject: title, body: `<p>${body}</p>`, sender_name: 'campaign-mcp' } };
    case 'sms':
      return { content: { body } };
    case 'whatsapp':
      return { content: { template_name: 'campaign-mcp:estimate', replacements: {} } };
    case 'webhook':
      return { webhook_endpoint_name: 'campaign-mcp estimate' };
    case 'notificationinbox':
      return { template_type: 'simple', content: [{ message: { text: body }, title: { text: title } }] };
    default:
      return { content: { title, body } };
  }
}

const METRIC_KEYS: Array<[keyof Metrics, string[]]> = [
  ['sent', ['sent']],
  ['delivered', ['delivered']],
  ['opened', ['viewed', 'opened', 'views']],
  ['clicked', ['clicked', 'clicks']],
  ['converted', ['converted', 'conversions']],
  ['failed', ['failed', 'errors']],
  ['bounced', ['bounced']],
  ['unsubscribed', ['unsubscribed']],
];

/** Lenient counters from a result.json / report.json object [U]; undefined when none is a number. */
export function parseMetrics(o: unknown): Metrics | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const rec = o as Record<string, unknown>;
  const m: Metrics = {};
  for (const [key, names] of METRIC_KEYS) {
    for (const n of names) {
      const v = typeof rec[n] === 'string' && /^\d+$/.test(rec[n] as string) ? Number(rec[n]) : rec[n];
      if (typeof v === 'number' && Number.isFinite(v)) {
        m[key] = v;
        break;
      }
    }
  }
  return Object.keys(m).length ? m : undefined;
}

type Rec = Record<string, unknown>;

/** The per-message records of a report.json answer, whichever key holds them [3P]; undefined when none. */
export function reportMessages(body: Rec): Rec[] | undefined {
  for (const k of ['messages', 'data', 'result', 'records', 'reports']) {
    const v = body[k];
    if (Array.isArray(v)) return v.filter((m): m is Rec => !!m && typeof m === 'object');
    if (v && typeof v === 'object') for (const inner of Object.values(v as Rec)) if (Array.isArray(inner)) return inner.filter((m): m is Rec => !!m && typeof m === 'object');
  }
  return undefined;
}

/** One line describing a create.json-style `where` / `segment`, e.g. "did Charged 2025-01-01..2025-01-31; Tier equals Gold". */
export function describeWhere(where: unknown, segment: unknown): string | undefined {
  if (typeof segment === 'number' || typeof segment === 'string') return `segment ${segment}`;
  if (!where || typeof where !== 'object') return undefined;
  const w = where as Rec;
  const parts: string[] = [];
  const day = (v: unknown) => String(v).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
  if (typeof w.event_name === 'string') parts.push(`did ${w.event_name}${w.from && w.to ? ` ${day(w.from)}..${day(w.to)}` : ''}`);
  const fields = (w.common_profile_properties as Rec | undefined)?.profile_fields;
  if (Array.isArray(fields)) for (const f of fields as Rec[]) parts.push(`${String(f?.name)} ${String(f?.operator)}${f?.value !== undefined ? ` ${String(f.value)}` : ''}`);
  return parts.length ? parts.join('; ') : 'all users';
}

/** A <= 200-char plain-text excerpt of message content (string or {title, subject, body}). */
export function excerpt(content: unknown): string | undefined {
  const c = typeof content === 'string' ? { body: content } : content && typeof content === 'object' && !Array.isArray(content) ? (content as Rec) : undefined;
  if (!c) return undefined;
  const text = stripHtml(['subject', 'title', 'body'].map((k) => c[k]).filter((v): v is string => typeof v === 'string').join(' — '));
  return text ? (text.length > 200 ? `${text.slice(0, 197)}...` : text) : undefined;
}

