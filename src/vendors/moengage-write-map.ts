import { createHash } from 'node:crypto';
import type { Audience, Channel, Content } from '../domain.js';
import { InputError, UnsupportedError } from '../errors.js';

import type { ResolvedSchedule } from './schedule.js';
import type { IdType, SendInput, WritePreview } from './vendor.js';
import { contentExcerpt, unusedContent, type DraftContent } from './write-input.js';

/** Inform `transaction_id` is at most 50 characters (inform.yaml). */
export const TRANSACTION_ID_MAX = 50;
/** Push platforms a created campaign targets (campaigns.yaml PushBasicDetails.platforms). */
const PUSH_PLATFORMS = ['ANDROID', 'IOS'] as const;
/** Android requires a notification channel (campaigns.yaml AndroidBasicDetails); the app's default one. */
const ANDROID_CHANNEL = 'general';
/** Email connector (campaigns.yaml Connector, required for EMAIL): the workspace's default one. */
export const EMAIL_CONNECTOR = { connector_type: 'SENDGRID', connector_name: 'default' } as const;
/** The standard attribute holding a user's email (campaigns.yaml EmailBasicDetails.user_attribute_identifier). */
const EMAIL_ATTRIBUTE = 'MOE_EMAIL_ID';

/** Inform channel words and the id kind each channel's `recipient` is (inform.yaml: mobile number, email address). */
export const INFORM_CHANNELS: Readonly<Partial<Record<Channel, { word: 'EMAIL' | 'SMS'; id_type: IdType }>>> = {
  email: { word: 'EMAIL', id_type: 'email' },
  sms: { word: 'SMS', id_type: 'phone' },
};

type Obj = Record<string, unknown>;

/** A short stable hash, hex. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** Inform transaction_id of one recipient of one batch: the same batch key and recipient always give the same id. */
export function transactionId(key: string, recipient: string): string {
  return `cm-${digest(key, recipient).slice(0, TRANSACTION_ID_MAX - 3)}`;
}

const OPS: Record<string, { operator: string; negate?: boolean; numeric?: boolean }> = {
  equals: { operator: 'is' }, not_equals: { operator: 'is', negate: true }, contains: { operator: 'contains' },
  greater_than: { operator: 'greaterThan', numeric: true }, less_than: { operator: 'lessThan', numeric: true },
  exists: { operator: 'exists' }, not_exists: { operator: 'exists', negate: true },
};

/** The normalized audience as v1 `segmentation_details` (campaigns.yaml SegmentationDetails); what it cannot say is an error. */
export function segmentation(a: Audience): Obj {
  if (a.all_users) return { is_all_user_campaign: true, included_filters: { filter_operator: 'and', filters: [] } };
  const filters: Obj[] = [];
  if (a.segment_id) filters.push({ filter_type: 'custom_segments', id: a.segment_id });
  if (a.event) {
    if (a.event.from || a.event.to) {
      throw new UnsupportedError('moengage', 'MoEngage\'s create API documents no date window on an action filter, so event.from/event.to cannot be sent; build the segment in MoEngage and pass audience.segment_id, or drop the dates');
    }
    filters.push({ filter_type: 'actions', action_name: a.event.name, executed: true, execution: { type: 'atleast', count: 1 } });
  }
  for (const p of a.profile ?? []) {
    const op = OPS[p.op]!;
    const needsValue = p.op !== 'exists' && p.op !== 'not_exists';
    if (needsValue && p.value === undefined) throw new InputError(`profile condition on "${p.field}" (${p.op}) needs a value`);
    if (op.numeric && typeof p.value !== 'number') throw new InputError(`profile condition ${p.op} on "${p.field}" needs a number value`);
    const dataType = typeof p.value === 'number' ? 'double' : typeof p.value === 'boolean' ? 'bool' : 'string';
    filters.push({
      filter_type: 'user_attributes', name: p.field, data_type: dataType, operator: op.operator, negate: op.negate ?? false,
      ...(needsValue && { value: p.value }), ...(dataType === 'string' && { case_sensitive: false }),
    });
  }
  return { is_all_user_campaign: false, included_filters: { filter_operator: 'and', filters } };
}

/** The audience in words, for the preview. */
export function audienceWords(a: Audience): string {
  if (a.all_users) return 'all users';
  const parts: string[] = [];
  if (a.segment_id) parts.push(`custom segment ${a.segment_id}`);
  if (a.event) parts.push(`users who did "${a.event.name}" at least once`);
  for (const p of a.profile ?? []) parts.push(`${p.field} ${p.op.replace('_', ' ')}${p.value === undefined ? '' : ` ${JSON.stringify(p.value)}`}`);
  return parts.join(' and ');
}

/** What createBody sends of the drafted content, per channel; the rest is named in the preview (write-input unusedContent). */
export const MOENGAGE_USED_CONTENT: Readonly<Record<'push' | 'email', ReadonlyArray<keyof DraftContent>>> = {
  push: ['title', 'body', 'deep_link'], email: ['subject', 'body', 'sender_name'],
};
/** What informBody passes to the alert's template (as personalized attributes). */
export const INFORM_USED_CONTENT: ReadonlyArray<keyof DraftContent> = ['title', 'subject', 'body'];

/** The v1 create body for a one-time PUSH or EMAIL campaign (campaigns.yaml PushCampaignRequest / EmailCampaignRequest). */
export function createBody(
  input: { name: string; channel: 'push' | 'email'; audience: Audience; content: Content },
  createdBy: string, requestId: string, schedule: ResolvedSchedule | 'now',
): Obj {
  const c = input.content;
  const scheduling = schedule === 'now' ? { delivery_type: 'ASAP' } : { delivery_type: 'AT_FIXED_TIME', start_time: schedule.utc.replace(/Z$/, '') };
  const head = { request_id: requestId, campaign_delivery_type: 'ONE_TIME', created_by: createdBy, segmentation_details: segmentation(input.audience), scheduling_details: scheduling };
  if (input.channel === 'email') {
    return {
      ...head, channel: 'EMAIL',
      basic_details: { name: input.name, content_type: 'PROMOTIONAL', user_attribute_identifier: EMAIL_ATTRIBUTE },
      connector: { ...EMAIL_CONNECTOR },
      campaign_content: { content: { email: { subject: c.subject, html_content: c.body, ...(c.sender_name && { sender_name: c.sender_name }) } } },
    };
  }
  const click = c.deep_link ? { default_click_action: 'DEEPLINKING', default_click_action_value: c.deep_link } : {};
  return {
    ...head, channel: 'PUSH',
    basic_details: { name: input.name, platforms: [...PUSH_PLATFORMS], platform_specific_details: { android: { push_amp_plus_enabled: false }, ios: { send_to_all_eligible_device: true } } },
    campaign_content: { content: { push: {
      android: { template_type: 'BASIC', basic_details: { notification_channel: ANDROID_CHANNEL, title: c.title, message: c.body, ...click } },
      ios: { template_type: 'BASIC', basic_details: { title: c.title, message: c.body, ...click } },
    } } },
    delivery_controls: {}, advanced: {},
  };
}

/** One Inform request for one recipient (inform.yaml InformRequest); content rides as personalized attributes. */
export function informBody(alertId: string, channel: 'EMAIL' | 'SMS', recipient: string, content: Content, key: string): Obj {
  const attrs = { ...(content.title && { title: content.title }), ...(content.subject && { subject: content.subject }), body: content.body };
  return { alert_id: alertId, transaction_id: transactionId(key, recipient), payloads: { [channel]: { recipient, personalized_attributes: attrs } } };
}

/** What an Inform send will do, in words: one request a user, the alert's own template, no sender attributes. */
export function informPreview(
  head: { vendor: 'moengage'; account: string }, input: SendInput, idType: IdType, recipients: { count: number; duplicates_removed: number }, batchSize: number,
): WritePreview {
  const { count, duplicates_removed } = recipients;
  return {
    ...head, operation: `send the Inform alert ${input.campaign_id} to ${count} ${count === 1 ? 'user' : 'users'}`, channel: input.channel,
    audience: `${count} listed ${idType === 'email' ? 'email addresses' : 'phone numbers'}`, content: contentExcerpt(input.content, input.channel), schedule: 'now',
    counts: { recipients: count, duplicates_removed, batches: Math.ceil(count / batchSize), batch_size: batchSize },
    notes: [
      ...unusedContent(input.channel, input.content, INFORM_USED_CONTENT),
      'Inform sends the alert\'s own template, one request a user; title, subject and body are passed as personalized attributes the template may use.',
      'MoEngage has no API to read an alert: an unknown alert id is refused with the first message and stops the send.',
      // inform.yaml: "sender_attributes: ... If not passed, the alert will not be sent out" (for alerts that pick a sender so).
      'No sender_attributes are sent: an alert set to pick its sender by API attributes sends nothing without them, though MoEngage answers 200.',
      'Paced under Inform\'s 10,000 requests a minute; each request carries a transaction_id MoEngage deduplicates for 5 minutes.',
    ],
  };
}
