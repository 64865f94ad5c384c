import type { Audience } from '../domain.js';
import { InputError, UnsupportedError } from '../errors.js';
import type { ResolvedSchedule } from './schedule.js';
import type { IdType, SendInput, WriteCapabilities } from './vendor.js';
import type { DraftContent } from './write-input.js';

/** transactional/send recipients per request: 10,000 custom_ids is [U] (notes re-check; 3(f)); install_ids' cap is [U] too, kept the same. */
export const BATCH_SEND_BATCH = 10_000;
/** Not a vendor limit (MEP rate limits are [U], notes 3): at most this many Batch writes in flight per app. */
export const BATCH_WRITE_CONCURRENCY = 2;
/** group_id: "a-zA-Z0-9_-, analytics key, not unique" (notes 3(f)); ours when the person names none. */
export const BATCH_DEFAULT_GROUP_ID = 'campaign-mcp';
/** MEP's predefined lifecycle segments (seed 003 / notes 3(b) examples; the sandbox's list); other segment_ids are custom audiences [U]. */
export const BATCH_SEGMENTS: ReadonlySet<string> = new Set(['NEW', 'ENGAGED', 'ONE_TIME', 'DORMANT', 'IMPORTED']);
/** id_type onto `recipients` keys (notes 3(f): tokens | install_ids | custom_ids). */
export const BATCH_RECIPIENT_KEY: Readonly<Partial<Record<IdType, string>>> = { identity: 'custom_ids', install_id: 'install_ids' };
const GROUP_ID = /^[a-zA-Z0-9_-]{1,128}$/;

/** What Batch MEP can write: push only; pause and resume through `live` (no documented stop, notes 3(g)). */
export const BATCH_WRITE_CAPABILITIES: WriteCapabilities = {
  create: ['push'],
  send: { channels: ['push'], id_types: Object.keys(BATCH_RECIPIENT_KEY) as IdType[], batch_size: BATCH_SEND_BATCH, needs_campaign_id: false },
  status: ['pause', 'resume'],
};

/** Content keys a Batch push carries. */
export const BATCH_USED_CONTENT: ReadonlyArray<keyof DraftContent> = ['title', 'body', 'deep_link'];

/** `targeting` for an audience: none for all users, a lifecycle segment or a custom audience; filters cannot be expressed. */
export function batchTargeting(audience: Audience): Record<string, unknown> | undefined {
  if (audience.event || audience.profile?.length) {
    throw new UnsupportedError('batch', 'Batch MEP targets events and attributes through its query language, which the notes do not document well enough to build safely; target all_users or a segment_id (a Batch segment such as NEW, ENGAGED, ONE_TIME, DORMANT, IMPORTED, or a custom audience name).');
  }
  if (audience.segment_id === undefined) return undefined;
  const id = audience.segment_id.trim();
  return BATCH_SEGMENTS.has(id.toUpperCase()) ? { segments: [id.toUpperCase()] } : { custom_audiences: [id] };
}

/** push_time: "now" or the UTC instant as YYYY-MM-DDTHH:mm:ss (seed 003 examples carry no zone; MEP times read as UTC). */
export function batchPushTime(schedule: ResolvedSchedule | 'now'): string {
  return schedule === 'now' ? 'now' : schedule.utc.replace(/Z$/, '');
}

/** The one push message: title and body (notes 3(e)); no language, so it is the default for every user [U]. */
export function batchMessage(c: DraftContent): { title?: string; body: string } {
  return { ...(c.title ? { title: c.title } : {}), body: c.body };
}

/** A send's group_id: campaign_id when given (it must fit the documented pattern), else ours. */
export function batchGroupId(campaignId: string | undefined): string {
  if (campaignId === undefined) return BATCH_DEFAULT_GROUP_ID;
  if (!GROUP_ID.test(campaignId)) throw new InputError(`a Batch send has no campaign; campaign_id is used as its group_id, which takes a-z, A-Z, 0-9, _ and - only (got "${campaignId}")`);
  return campaignId;
}

/** The transactional/send body for one batch (notes 3(f)). */
export function batchSendBody(input: SendInput, ids: readonly string[]): Record<string, unknown> {
  const key = BATCH_RECIPIENT_KEY[input.id_type];
  if (!key) throw new InputError(`Batch cannot send by ${input.id_type}`);
  const c = input.content as DraftContent;
  return { group_id: batchGroupId(input.campaign_id), recipients: { [key]: [...ids] }, message: batchMessage(c), ...(c.deep_link ? { deeplink: c.deep_link } : {}) };
}

/** An error body's code as the HTTP status it stands for (notes 3 table), for a 2xx carrying one. */
export function batchEnvelopeStatus(body: unknown): number | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (b.error_code === undefined || b.error_code === null || b.token !== undefined || b.campaign_token !== undefined) return undefined;
  const byCode: Record<number, number> = { 10: 401, 12: 403, 20: 404, 30: 400, 31: 400, 32: 400, 60: 429, 0: 500, 1: 500, 2: 503 };
  return byCode[Number(b.error_code)] ?? 400;
}
