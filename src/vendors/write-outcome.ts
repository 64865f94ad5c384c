import { VendorError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import { redact } from '../log.js';
import { clip, stripHtml } from './text.js';
import type { PartControl, PartOutcome } from './vendor.js';

/** HTTP statuses whose refusal applies to every part of a write (credentials, rights, the route itself). */
const FATAL_STATUSES = new Set([401, 403, 404, 405]);
/** Characters of an unexpected answer quoted in its outcome: enough to recognise a proxy's page, never a whole body. */
const EXCERPT_CHARS = 80;
/** HTTP statuses that refuse the request as sent (validation of what it carried): the same arguments are refused again. */
const AS_SENT_STATUSES = new Set([400, 413, 422]);

/**
 * A failed write request as a part outcome, in the journal's vocabulary. `fatal` when the refusal applies
 * to every batch (bad credentials, or `contentError` says the content itself was refused); `not_acted`
 * when the vendor certainly did not act (a 429 after the client's retries, a connection never made, and a
 * refusal of the whole request, which is a fatal one). The message ends ", HTTP <status>[, code <code>]":
 * the journal keeps only the message, and `refusedAsSent` reads the status back from it.
 */
export function outcomeOfError(err: unknown, options: {
  contentError?: (e: VendorError) => boolean;
  /** Of the fatal refusals, those after which the vendor certainly did not act (default: every one). */
  refusedWhole?: (e: VendorError) => boolean;
} = {}): PartOutcome {
  if (!(err instanceof VendorError)) throw err;
  const detail = [err.message, err.status ? `HTTP ${err.status}` : undefined, err.code !== undefined ? `code ${err.code}` : undefined]
    .filter(Boolean).join(', ');
  if (err.outcome === 'unknown') return { state: 'unknown', message: `${detail}. ${err.hint ?? 'The vendor may have acted on it.'}` };
  const fatal = (err.status !== undefined && FATAL_STATUSES.has(err.status)) || options.contentError?.(err) === true;
  const notActed = err.notSent || err.status === 429 || (fatal && (options.refusedWhole?.(err) ?? true));
  return { state: 'failed', message: detail, ...(notActed ? { not_acted: true } : {}), ...(fatal ? { fatal: true } : {}) };
}

/**
 * Whether a refusal, by its message as `outcomeOfError` words it, refused the request as sent (HTTP 400, 413, 422):
 * the token binds the exact arguments, so only changed arguments (a new preview) can get past it. Any other refusal
 * (credentials, the account's rights or plan, a rate limit, the connection) lies outside the arguments.
 */
export function refusedAsSent(message: string | undefined): boolean {
  const status = /(?:^|, )HTTP (\d{3})(?:, code [^;]*)?$/.exec(message ?? '')?.[1];
  return status !== undefined && AS_SENT_STATUSES.has(Number(status));
}

/**
 * A 2xx that is not the vendor's documented success (an HTML page from a proxy or a wrong base URL, an empty body, JSON
 * without the created id): the vendor may have acted, so the part is unknown (never resent by its token), and the
 * message says what came back instead of `expected`.
 */
export function unexpectedAnswer(vendor: string, res: HttpResponse, expected: string): PartOutcome {
  return {
    state: 'unknown',
    message: `${vendor} answered HTTP ${res.status} with ${describeAnswer(res)}, not ${expected}. ${vendor} may have acted on it, or a proxy `
      + `or a wrong base URL answered instead: check in ${vendor} before sending it again.`,
  };
}

/** What a body was, for a person: its kind, content type and a short excerpt, credentials scrubbed before it is cut. */
export function describeAnswer(res: HttpResponse): string {
  const header = res.headers['content-type'];
  const type = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim();
  const typed = type ? ` (${clip(redact(type), 40)})` : '';
  const text = res.text.trim();
  if (!text) return `an empty body${typed}`;
  const html = /html/i.test(type ?? '') || /^<(!doctype|html|head|body)\b/i.test(text);
  const kind = html ? 'an HTML page' : res.body === undefined ? 'a body that is not JSON' : 'JSON';
  const shown = ((html && stripHtml(text)) || text).replace(/\s+/g, ' ').slice(0, 1000);
  return `${kind}${typed}: "${clip(redact(shown), EXCERPT_CHARS)}"`;
}

/** A part's control as request fields: `halt` stops it before it goes out, `onSend` journals the attempt. */
export function sendControl(control: PartControl | undefined): Pick<HttpRequest, 'beforeSend' | 'onSend'> {
  return { ...(control?.halt ? { beforeSend: control.halt } : {}), ...(control?.onSend ? { onSend: control.onSend } : {}) };
}

/** A part the gate halted before its request went out. */
export const NOT_SENT: PartOutcome = { state: 'failed', not_acted: true, message: 'not sent: the write stopped before this request went out' };
