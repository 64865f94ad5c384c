/** Readable text of an HTML (or plain) body: head, style, script, comments and template logic dropped, entities decoded. */
export function stripHtml(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, ' ')
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/\{%[\s\S]*?%\}/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'")
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const HTML_TEXT_CHARS = 300;
const PLAIN_CHARS = 2000;
const ARRAY_ITEMS = 20;
const MAX_DEPTH = 12;

/**
 * A vendor record made fit for `raw: true`: HTML bodies become their first 300 chars of text with a
 * "[... N chars trimmed]" marker, long strings and arrays are cut, deep nesting is elided.
 */
export function trimRaw(v: unknown, key = '', depth = 0): unknown {
  if (typeof v === 'string') {
    if (/html/i.test(key) || /<\/?[a-z!][^>]*>/i.test(v)) {
      const text = stripHtml(v);
      const kept = text.slice(0, HTML_TEXT_CHARS);
      return text.length > kept.length ? `${kept} [... ${text.length - kept.length} chars trimmed]` : kept;
    }
    return v.length > PLAIN_CHARS ? `${v.slice(0, PLAIN_CHARS)} [... ${v.length - PLAIN_CHARS} chars trimmed]` : v;
  }
  if (depth >= MAX_DEPTH && v && typeof v === 'object') return '[...]';
  if (Array.isArray(v)) {
    const out: unknown[] = v.slice(0, ARRAY_ITEMS).map((x) => trimRaw(x, key, depth + 1));
    if (v.length > ARRAY_ITEMS) out.push(`[... ${v.length - ARRAY_ITEMS} more items]`);
    return out;
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trimRaw(x, k, depth + 1)]));
  return v;
}

/** At most `max` characters, with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
