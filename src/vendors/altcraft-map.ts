import type { CampaignSummary, Channel, Status } from '../domain.js';
import { normalizeStamp, num, obj } from './common.js';
import { stripHtml, trimRaw } from './text.js';

export { num, obj, stripHtml, trimRaw };

/** Where to look when Altcraft refuses the token (its rights are per method, e.g. "Campaigns — Run"). */
export const TOKEN_HINT = 'Check ALTCRAFT_API_TOKEN and that it has the rights for this method (e.g. "Campaigns — Run").';

/**
 * Normalized ids say which Altcraft object they name: `campaign-<id>` is a campaign container
 * (/scampaigns/...), `mailing-<id>` a mailing with a channel (/campaigns/... in v74+).
 */
export type AltcraftRef = { kind: 'campaign' | 'mailing'; id: number };

/** Campaign (container) states from scampaigns/list (seed 004); `inactive` is refined by scampaignStatus. */
export const SCAMPAIGN_STATUS: Readonly<Record<string, Status>> = {
  cloning: 'unknown',
  inactive: 'draft',
  waiting: 'scheduled',
  active: 'running',
  completed: 'completed',
  deleted: 'archived',
};

/** The one scampaigns/list `state` to send for a normalized status; absent = filter locally or skip. */
export const STATUS_TO_SCAMPAIGN_STATE: Readonly<Partial<Record<Status, string>>> = {
  draft: 'inactive',
  paused: 'inactive',
  scheduled: 'waiting',
  running: 'active',
  completed: 'completed',
  archived: 'deleted',
};

/** Normalized statuses a campaign container can never have, so listing them skips scampaigns. */
export const SCAMPAIGN_NEVER: ReadonlySet<Status> = new Set<Status>(['stopped', 'failed']);

/**
 * Mailing status words (campaigns/get_status `status`, and the same word when a listing carries it; [U]
 * beyond "Inactive"). "Inactive" is `draft`: nothing documented says an inactive mailing ever ran, and a
 * resume must not be offered on one that never did.
 */
export const MAILING_STATUS: Readonly<Record<string, Status>> = {
  draft: 'draft',
  inactive: 'draft',
  waiting: 'scheduled',
  scheduled: 'scheduled',
  active: 'running',
  sending: 'running',
  running: 'running',
  paused: 'paused',
  stopped: 'stopped',
  aborted: 'stopped',
  completed: 'completed',
  finished: 'completed',
  error: 'failed',
  failed: 'failed',
  deleted: 'archived',
  cloning: 'unknown',
};

/** Mailing channels (`send_channel`/`channel`); only the ones we normalize are named, the rest are `other`. */
export const MAILING_CHANNEL: Readonly<Record<string, Channel>> = {
  email: 'email',
  sms: 'sms',
  push: 'push',
  mobpush: 'push',
  webpush: 'webpush',
  whatsapp: 'whatsapp',
  telegram: 'other',
  viber: 'other',
  vk: 'other',
};

/** Mailing types to our delivery words. */
export const MAILING_DELIVERY: Readonly<Record<string, string>> = {
  broadcast: 'one_time',
  regular: 'recurring',
  trigger: 'triggered',
};

/** Parse `campaign-<id>` / `mailing-<id>`; undefined when the id has neither prefix. */
export function parseRef(id: string): AltcraftRef | undefined {
  const m = /^(campaign|mailing)-(\d{1,15})$/.exec(id.trim());
  return m ? { kind: m[1] as AltcraftRef['kind'], id: Number(m[2]) } : undefined;
}

/** Container status: `inactive` with an actual start in history was paused, without one it is a draft. */
export function scampaignStatus(state: string, started: boolean): Status {
  const s = state.toLowerCase();
  if (s === 'inactive') return started ? 'paused' : 'draft';
  return SCAMPAIGN_STATUS[s] ?? 'unknown';
}

/**
 * Mailing status: the status word when there is a known one; else is_completed/is_active.
 * An active one-time mailing whose start lies ahead is scheduled.
 */
export function mailingStatus(m: { status?: unknown; is_active?: unknown; is_completed?: unknown; type?: unknown }, startAt: string | undefined, now: Date): Status {
  const word = typeof m.status === 'string' ? MAILING_STATUS[m.status.toLowerCase()] : undefined;
  let status: Status = word ?? (m.is_completed === true ? 'completed' : m.is_active === true ? 'running' : m.is_active === false ? 'draft' : 'unknown');
  if (status === 'running' && m.type === 'broadcast' && startAt && Date.parse(startAt) > now.getTime()) status = 'scheduled';
  return status;
}

/** Normalized channel of a mailing's channel word. */
export function mailingChannel(word: unknown): Channel {
  return typeof word === 'string' ? (MAILING_CHANNEL[word.toLowerCase()] ?? 'other') : 'other';
}

/** An Altcraft time as an instant shown in the account's zone (zoneless times are read in it). */
export function toStamp(value: unknown, tz = 'UTC'): string | undefined {
  return normalizeStamp(value, tz);
}

/** Tags from `tags` and `ui_tags`, deduplicated; undefined when there are none. */
export function tagsOf(r: Record<string, unknown>): string[] | undefined {
  const all = [r.tags, r.ui_tags].flatMap((t) => (Array.isArray(t) ? t : [])).filter((t): t is string => typeof t === 'string' && t !== '');
  return all.length ? [...new Set(all)] : undefined;
}

type Rec = Record<string, unknown>;

/** The first string among `keys` of `r`. */
function firstStr(r: Rec, ...keys: string[]): string | undefined {
  for (const k of keys) if (typeof r[k] === 'string' && r[k] !== '') return r[k] as string;
  return undefined;
}

/** Start of a mailing's start_schedule ([U] shape): a string, or an object with a start time. */
export function scheduleStart(s: unknown, tz = 'UTC'): string | undefined {
  if (typeof s === 'string' || typeof s === 'number') return toStamp(s, tz);
  const o = obj(s);
  return toStamp(o.start_time ?? o.start_at ?? o.datetime ?? o.date ?? o.time, tz);
}

/** One-line description of a mailing's or container's audience. */
export function audienceLine(r: Rec): string | undefined {
  const a = { ...r, ...obj(r.audience) };
  const type = firstStr(a, 'data_type');
  const dataId = num(a.data_id);
  const seg = num(a.seg_id);
  const db = num(a.list_id);
  let line: string | undefined;
  if (type === 'segment' && dataId !== undefined) line = `segment ${dataId}`;
  else if (type === 'list' && dataId !== undefined) line = `every subscriber of database ${dataId}`;
  else if (seg) line = db !== undefined ? `segment ${seg} of database ${db}` : `segment ${seg}`;
  else if (db !== undefined) line = `every subscriber of database ${db}`;
  const resource = num(a.resource_id);
  return line && resource !== undefined ? `${line}, resource ${resource}` : line;
}

/** A ≤200-char plain-text excerpt of a mailing's content ([U] shape: an array or object of channel contents). */
export function contentExcerpt(content: unknown): string | undefined {
  const parts = (Array.isArray(content) ? content : [content]).map(obj).flatMap((c) => {
    const subject = firstStr(c, 'subject', 'title');
    const body = firstStr(c, 'html', 'text', 'body', 'message', 'plain');
    return [subject, body && stripHtml(body)].filter((x): x is string => !!x);
  });
  const text = parts.join(' — ').trim();
  return text ? (text.length > 200 ? `${text.slice(0, 199)}…` : text) : undefined;
}

/** Hint for an Altcraft error code (codes follow HTTP: 400, 401 token, 402 tariff, 403 rights; notes §4). */
export function hintFor(code: number | undefined): string | undefined {
  if (code === 401 || code === 403) return TOKEN_HINT;
  if (code === 402) return 'The Altcraft tariff limit is reached; check the plan limits with the account owner.';
  return undefined;
}

/** Turn a non-2xx answer into Altcraft's own error_text and code. */
export function describeAltcraft(status: number, body: unknown, text: string): { message: string; code?: string | number; hint?: string } {
  const b = obj(body);
  const code = num(b.error);
  if (typeof b.error_text === 'string' && b.error_text) return { message: b.error_text, code: code ?? status, hint: hintFor(code ?? status) };
  if (status === 401 || status === 403) return { message: 'the API token was refused', code: status, hint: TOKEN_HINT };
  if (status === 404) return { message: 'this API method was not found on the host', code: status, hint: 'Check ALTCRAFT_BASE_URL and the Altcraft version (mailings are /campaigns/... from v74).' };
  return { message: /^\s*</.test(text) ? 'Altcraft answered with an HTML page instead of JSON' : `Altcraft answered HTTP ${status}` };
}

/** A campaign container as a summary: channel `other` (it groups mailings), status from state + history. */
export function containerSummary(r: Rec, account: string, tz = 'UTC'): CampaignSummary {
  const ap = obj(r.active_period);
  const state = typeof r.state === 'string' ? r.state : r.is_delete === true ? 'deleted' : 'unknown';
  return prune<CampaignSummary>({
    vendor: 'altcraft', account, id: `campaign-${recordId(r)}`, name: String(r.name ?? ''),
    status: r.is_delete === true ? 'archived' : scampaignStatus(state, !!obj(ap.history).start),
    vendor_status: state, channel: 'other',
    created_at: toStamp(r.createtime ?? r.create_time, tz), scheduled_at: toStamp(obj(ap.settings).start_at, tz), tags: tagsOf(r),
  });
}

/** A mailing as a summary; status from its status word or is_active/is_completed. */
export function mailingSummary(r: Rec, account: string, now: Date, tz = 'UTC'): CampaignSummary {
  const start = scheduleStart(r.start_schedule, tz);
  const word = typeof r.status === 'string' ? r.status : r.is_active === true ? 'active' : r.is_active === false ? 'inactive' : 'unknown';
  const channelWord = r.send_channel ?? r.channel ?? (Array.isArray(r.content) ? obj(r.content[0]).channel : undefined);
  return prune<CampaignSummary>({
    vendor: 'altcraft', account, id: `mailing-${recordId(r)}`, name: String(r.name ?? ''),
    status: mailingStatus(r, start, now), vendor_status: word, channel: mailingChannel(channelWord),
    created_at: toStamp(r.create_time ?? r.createtime, tz), scheduled_at: start, tags: tagsOf(r),
  });
}

/** The record's id; records without one were rejected while paging. */
export function recordId(r: Rec): number {
  return num(r.id) ?? 0;
}

/** Drop undefined fields so results stay small. */
export function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
