import type { Channel } from '../domain.js';
import { InputError } from '../errors.js';
import type { ResolvedSchedule } from './schedule.js';
import type { IdType, SendInput, WriteCapabilities } from './vendor.js';
import type { DraftContent } from './write-input.js';

/**
 * create.json "is limited to 1 request per second" (seed 001; the current page says 3, we keep the stricter),
 * with a 10% margin; the client spaces from the previous answer, so latency never lands two requests < 1 s apart. Shared with the estimate.
 */
export const CLEVERTAP_CREATE_INTERVAL_MS = 1100;
/** /1/send/*.json: "You can message 1000 users per API request" (seed 001; DESIGN reliability rules). */
export const CLEVERTAP_SEND_BATCH = 1000;
/** The pacing key create.json and its estimate share, per account. */
export const clevertapCreatePaceKey = (accountId: string): string => `clevertap:${accountId}:create`;

/** Channels with a send endpoint (seed 001: /1/send/{push,sms,webpush,email}.json). */
export const CLEVERTAP_SEND_CHANNELS: ReadonlyArray<Channel> = ['push', 'sms', 'webpush', 'email'];
/** Channels this server creates: content maps onto them; whatsapp/webhook/inbox need templates or endpoint names it does not carry. */
export const CLEVERTAP_CREATE_CHANNELS: ReadonlyArray<Channel> = ['push', 'email', 'sms', 'webpush'];
/** id_type onto the send body's `to` keys (seed 001: Identity, Email, objectId; FBID/GPID are not ours). */
export const CLEVERTAP_TO_KEY: Readonly<Partial<Record<IdType, string>>> = { identity: 'Identity', email: 'Email', objectId: 'objectId' };
/** Send error codes that concern one batch's recipients, not every batch (seed 001: 84 invalid recipients, 89 unexpected error). */
export const CLEVERTAP_PER_BATCH_CODES: ReadonlySet<unknown> = new Set([84, '84', 89, '89']);

/** What CleverTap can write: stop only (notes 1(g): no pause or resume API). */
export const CLEVERTAP_WRITE_CAPABILITIES: WriteCapabilities = {
  create: CLEVERTAP_CREATE_CHANNELS,
  send: { channels: CLEVERTAP_SEND_CHANNELS, id_types: Object.keys(CLEVERTAP_TO_KEY) as IdType[], batch_size: CLEVERTAP_SEND_BATCH, needs_campaign_id: false },
  status: ['stop'],
};

/** Content keys each channel carries (used to say what is not used). */
export const CLEVERTAP_USED_CONTENT: Readonly<Record<string, ReadonlyArray<keyof DraftContent>>> = {
  push: ['title', 'body', 'deep_link', 'image_url'], webpush: ['title', 'body', 'deep_link', 'image_url'],
  email: ['subject', 'body', 'sender_name'], sms: ['body'],
};

/**
 * The `content` object per channel (seed 001): push title/body with platform_specific deep links and
 * images (android background_image, ios ct_mediaUrl), webpush per browser, email subject/body/sender_name, sms body.
 */
export function clevertapContent(channel: Channel, c: DraftContent): Record<string, unknown> {
  switch (channel) {
    case 'email':
      return { subject: c.subject, body: c.body, sender_name: c.sender_name };
    case 'sms':
      return { body: c.body };
    case 'webpush': {
      const chrome = { ...(c.deep_link ? { deep_link: c.deep_link } : {}), ...(c.image_url ? { image: c.image_url } : {}) };
      const other = c.deep_link ? { deep_link: c.deep_link } : undefined;
      const platform_specific = Object.keys(chrome).length ? { chrome, ...(other ? { firefox: other, safari: other } : {}) } : undefined;
      return { title: c.title, body: c.body, ...(platform_specific ? { platform_specific } : {}) };
    }
    default: {
      const android = { ...(c.deep_link ? { deep_link: c.deep_link } : {}), ...(c.image_url ? { background_image: c.image_url } : {}) };
      const ios = { ...(c.deep_link ? { deep_link: c.deep_link } : {}), ...(c.image_url ? { ct_mediaUrl: c.image_url, 'mutable-content': 'true' } : {}) };
      return { title: c.title, body: c.body, ...(Object.keys(android).length ? { platform_specific: { ios, android } } : {}) };
    }
  }
}

/** `when`: "now" or the account-local "YYYYMMDD HH:MM" (seed 001). */
export function clevertapWhen(schedule: ResolvedSchedule | 'now'): string {
  return schedule === 'now' ? 'now' : schedule.local.replace(/^(\d{4})-(\d{2})-(\d{2}) /, '$1$2$3 ');
}

/** A send's `campaign_id` (seed 001: an integer, "either use tag_group or campaign_id"), or an InputError. */
export function sendCampaignId(id: string | undefined): number | undefined {
  if (id === undefined) return undefined;
  if (!/^\d{1,15}$/.test(id.trim())) throw new InputError(`a CleverTap send's campaign_id is an integer (seed 001, e.g. 1000000043), got "${id}"`);
  return Number(id.trim());
}

/** The /1/send/{channel}.json body for one batch (seed 001): `to` by one identifier kind, content, frequency caps respected. */
export function clevertapSendBody(input: SendInput, ids: readonly string[]): Record<string, unknown> {
  const key = CLEVERTAP_TO_KEY[input.id_type];
  if (!key) throw new InputError(`CleverTap cannot send by ${input.id_type}`);
  const campaign_id = sendCampaignId(input.campaign_id);
  return {
    to: { [key]: [...ids] },
    ...(campaign_id !== undefined ? { campaign_id } : {}),
    respect_frequency_caps: true,
    content: clevertapContent(input.channel, input.content),
  };
}
