import type { Channel, Content } from '../domain.js';
import { InputError, UnsupportedError } from '../errors.js';
import type { IdType } from './vendor.js';
import { stripHtml } from './text.js';

/** What a message needs per channel (DESIGN: a push has a title and body, an email a subject and body, an sms a body). */
export const CONTENT_NEEDS: Readonly<Partial<Record<Channel, ReadonlyArray<keyof Content>>>> = {
  push: ['title', 'body'], webpush: ['title', 'body'], email: ['subject', 'body'], sms: ['body'],
};

/** Content as drafted, with the image the public contract allows (`content.image_url`). */
export type DraftContent = Content & { image_url?: string };

/** A channel this vendor writes, or an UnsupportedError naming the ones it does. */
export function requireChannel(vendor: 'clevertap' | 'batch', label: string, channel: Channel, allowed: ReadonlyArray<Channel>, what: string, why = ''): void {
  if (!allowed.includes(channel)) throw new UnsupportedError(vendor, `${label} cannot ${what} on ${channel}; it does on ${allowed.join(', ')}.${why ? ` ${why}` : ''}`);
}

/** Content carrying what the channel needs (plus the vendor's own `extra` needs), or an InputError naming what is missing. */
export function requireContent(label: string, channel: Channel, content: Content, extra: ReadonlyArray<keyof Content> = []): void {
  const need = [...(CONTENT_NEEDS[channel] ?? ['body']), ...extra];
  const missing = need.filter((k) => typeof content[k] !== 'string' || !(content[k] as string).trim());
  if (missing.length) throw new InputError(`a ${label} ${channel} message needs content.${missing.join(' and content.')}`);
}

/** An id_type the vendor matches, or an InputError naming the ones it takes. */
export function requireIdType(label: string, idType: IdType, accepted: ReadonlyArray<IdType>): void {
  if (!accepted.includes(idType)) throw new InputError(`${label} matches recipients by ${accepted.join(', ')}; id_type ${idType} is not one of them`);
}

/** Notes for content fields the channel does not carry, so nothing is dropped silently. */
export function unusedContent(channel: Channel, content: DraftContent, used: ReadonlyArray<keyof DraftContent>): string[] {
  const given = (Object.keys(content) as Array<keyof DraftContent>).filter((k) => content[k] !== undefined && content[k] !== '');
  const unused = given.filter((k) => !used.includes(k));
  return unused.length ? [`Not used for ${channel}: ${unused.join(', ')}.`] : [];
}

/**
 * A ≤ 200-char excerpt of drafted content as the channel carries it: an email's subject and its body as text (its
 * markup stripped), an SMS's body, any other channel's title and body exactly as sent (a "<5 left" is no tag).
 */
export function contentExcerpt(content: Content, channel: Channel): string {
  const email = channel === 'email';
  const head = email ? content.subject : channel === 'sms' ? undefined : content.title;
  const joined = [head, content.body].filter((v): v is string => typeof v === 'string' && v !== '').join(' — ');
  const text = email ? stripHtml(joined) : joined;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** Recipients counted for a send: at least one, or an InputError. */
export function requireRecipients(count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new InputError('recipients is empty: give at least one id');
}
