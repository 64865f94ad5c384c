import type { Audience, Channel, Content } from '../domain.js';
import { InputError, UnsupportedError } from '../errors.js';
import type { IdType } from './vendor.js';
import type { DraftContent } from './write-input.js';

/** Channels a broadcast or trigger mailing sends on (broadcasts/add `send_channel`, notes §4 (e)). */
export const ALTCRAFT_SEND_CHANNELS: ReadonlyArray<Channel> = ['email', 'sms', 'push'];
/** start_batch `matching` kinds (notes §4 (f)); `identity` is not among them. */
export const ALTCRAFT_ID_TYPES: ReadonlyArray<IdType> = ['email', 'phone', 'profile_id'];

/** How a person names an Altcraft audience, repeated in every audience error. */
export const AUDIENCE_HELP =
  'Altcraft creates a broadcast on a database list or a segment only: pass audience.segment_id as "segment:<segment id>" (or the bare number, or "<database id>:<segment id>" as estimate_reach takes it) or "list:<database id>" (every subscriber of that database)';

/** A broadcast's audience as broadcasts/add takes it, plus what the estimate needs. */
export interface AltcraftAudience {
  data_type: 'list' | 'segment';
  data_id: number;
  /** The segment id as the reader's estimateReach takes it; absent for a list. */
  estimate?: string;
  words: string;
}

/** Parse the normalized audience; anything Altcraft cannot create on is a clear error. */
export function altcraftAudience(a: Audience): AltcraftAudience {
  if (a.all_users || a.event || a.profile?.length) {
    const what = a.all_users ? 'all_users' : a.event ? 'an event audience' : 'profile conditions';
    throw new UnsupportedError('altcraft', `${AUDIENCE_HELP}. ${what} cannot be sent: build it as a segment in Altcraft first, then name that segment.`);
  }
  const raw = (a.segment_id ?? '').trim();
  const list = /^list:(\d{1,15})$/i.exec(raw);
  if (list) return { data_type: 'list', data_id: Number(list[1]), words: `every subscriber of database ${list[1]}` };
  const seg = /^(?:segment:)?(\d{1,15})$/i.exec(raw);
  if (seg) return { data_type: 'segment', data_id: Number(seg[1]), estimate: seg[1], words: `segment ${seg[1]}` };
  const dbSeg = /^(\d{1,15}):(\d{1,15})$/.exec(raw);
  if (dbSeg) return { data_type: 'segment', data_id: Number(dbSeg[2]), estimate: raw, words: `segment ${dbSeg[2]} of database ${dbSeg[1]}` };
  throw new InputError(`${AUDIENCE_HELP}; got "${raw}".`);
}

/** What channelContent sends of the drafted content, per channel; the rest is named in the preview (write-input unusedContent). */
export const ALTCRAFT_USED_CONTENT: Readonly<Partial<Record<Channel, ReadonlyArray<keyof DraftContent>>>> = {
  email: ['subject', 'body', 'sender_name'], push: ['title', 'body', 'deep_link'], sms: ['body'],
};

/** The content object of one channel ([U] shape: the fields the mailing getters return, notes §4 (b)). */
export function channelContent(channel: Channel, c: Content): Record<string, unknown> {
  if (channel === 'email') return { channel, subject: c.subject, html: c.body, ...(c.sender_name && { from_name: c.sender_name }) };
  if (channel === 'push') return { channel, title: c.title, text: c.body, ...(c.deep_link && { url: c.deep_link }) };
  return { channel, text: c.body };
}

/** A mailing named as listed (`mailing-<id>`) or by its bare number; a campaign container cannot send. */
export function triggerId(campaignId: string | undefined): number {
  const raw = campaignId?.trim() ?? '';
  if (!raw) throw new InputError('Altcraft sends to listed users only through an API-triggered mailing: pass campaign_id as "mailing-<id>" (as list_campaigns shows it) or its number');
  const m = /^(?:mailing-)?(\d{1,15})$/.exec(raw);
  if (m) return Number(m[1]);
  if (/^campaign-\d+$/.test(raw)) throw new InputError(`${raw} is a campaign container, which cannot send: pass the API-triggered mailing inside it as campaign_id "mailing-<id>"`);
  throw new InputError(`campaign_id "${raw}" is not an Altcraft mailing: use "mailing-<id>" or its number`);
}

/** The id_type as start_batch `matching`, or a clear error naming the ones Altcraft takes. */
export function matching(idType: IdType): 'email' | 'phone' | 'profile_id' {
  if (!ALTCRAFT_ID_TYPES.includes(idType)) {
    throw new InputError(`Altcraft matches recipients by ${ALTCRAFT_ID_TYPES.join(', ')}; id_type ${idType} is not one of them${idType === 'identity' ? ' (Altcraft has no customer user id: send emails, phones or Altcraft profile ids)' : ''}`);
  }
  return idType as 'email' | 'phone' | 'profile_id';
}

/** `YYYY-MM-DD HH:mm:ss` wall clock in the account's zone, the way mailing start times read back ([U] exact format). */
export function altcraftStart(local: string): string {
  return `${local}:00`;
}
