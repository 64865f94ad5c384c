import type { WritePreview } from '../vendors/vendor.js';

/** A count as the person's locale writes it (2,500 / 2 500 / 2.500). */
export function fmtCount(n: number, locale = 'en-US'): string {
  try {
    return new Intl.NumberFormat(locale).format(n);
  } catch {
    return new Intl.NumberFormat('en-US').format(n);
  }
}

/** `n` and the noun, singular or plural. */
export function plural(n: number, one: string, many: string, locale?: string): string {
  return `${fmtCount(n, locale)} ${n === 1 ? one : many}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Plain text of an HTML email body: scripts, styles and tags dropped, entities decoded, whitespace collapsed. Never rendered as HTML. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|\/p|\/div|\/h\d|\/li|\/tr)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
      const k = e.toLowerCase();
      if (k.startsWith('#x')) return safeChar(parseInt(k.slice(2), 16), m);
      if (k.startsWith('#') && k !== '#39') return safeChar(parseInt(k.slice(1), 10), m);
      return ENTITIES[k] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function safeChar(code: number, fallback: string): string {
  return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

/** At most `max` characters, cut at a word where one is near, with an ellipsis. */
export function excerpt(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** "2026-11-23T10:00:00" → "2026-11-23 10:00" (seconds dropped when zero; an offset or Z kept apart). */
export function shortStamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso.trim());
  if (!m) return iso;
  const secs = m[3] && m[3] !== '00' ? `:${m[3]}` : '';
  return `${m[1]} ${m[2]}${secs}${m[4] === 'Z' ? ' UTC' : m[4] ? ` ${m[4]}` : ''}`;
}

/** When it goes out, in the account's zone first. */
export function scheduleText(s: WritePreview['schedule']): string | undefined {
  if (!s) return undefined;
  if (s === 'now') return 'Immediately, once confirmed';
  return `${shortStamp(s.local)} ${s.timezone}${s.timezone === 'UTC' ? '' : ` (${shortStamp(s.utc)})`}`;
}

/** How long a token stays valid, in words, and whether it already expired at `now`. */
export function expiry(expiresAt: string, now: number): { expired: boolean; text: string } {
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return { expired: false, text: `until ${expiresAt}` };
  const left = t - now;
  if (left <= 0) return { expired: true, text: `expired at ${shortStamp(expiresAt)}` };
  return { expired: false, text: left >= 60_000 ? `valid for ${Math.ceil(left / 60_000)} more min` : `valid for ${Math.ceil(left / 1000)} more s` };
}

/** "frequency_cap_bypass" → "Frequency cap bypass". */
export function humanize(id: string): string {
  const s = id.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const VENDOR_NAMES: Record<string, string> = { clevertap: 'CleverTap', moengage: 'MoEngage', batch: 'Batch', altcraft: 'Altcraft' };

/** A vendor id as the vendor writes its name. */
export function vendorName(id: string): string {
  return VENDOR_NAMES[id] ?? id;
}
