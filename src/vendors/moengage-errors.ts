import { VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { parseRateReset } from '../http-errors.js';
import { isObject, shapeError as vendorShapeError } from './common.js';
import { clip } from './text.js';
import { obj, str } from './moengage-map.js';

const AUTH_HINT = 'Check MOENGAGE_WORKSPACE_ID, MOENGAGE_API_KEY (the Campaign report key) and MOENGAGE_DATA_CENTER.';

/** Turn any of MoEngage's error envelopes (v1, standard, v5, stats) into a message and code. */
export function describeMoeError(status: number, body: unknown, text: string): { message: string; code?: string | number; hint?: string } {
  const e = envelopeError(body);
  const html = body === undefined && /^\s*</.test(text);
  const message = e?.message ?? (html ? 'MoEngage answered with an HTML page instead of JSON' : `MoEngage answered HTTP ${status}`);
  return { message, ...(e?.code !== undefined && { code: e.code }), ...(hintFor(status) && { hint: hintFor(status) }) };
}

/** The error a MoEngage body carries in any of its envelope shapes, even on HTTP 200; undefined when none. */
export function envelopeError(body: unknown): { message: string; code?: string | number } | undefined {
  const b = obj(body);
  if (!b) return undefined;
  const e = obj(b.error);
  const code = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? v : undefined);
  if (e) {
    const target = str(e.target) && e.target !== 'string' ? ` (field ${e.target})` : '';
    return { message: `${str(e.message) ?? str(e.description) ?? 'MoEngage reported an error'}${target}`, code: code(e.code) ?? code(e.type) };
  }
  if (str(b.error)) return { message: b.error as string, code: code(b.code) };
  if (str(b.title) && 'description' in b) return { message: `${b.title}: ${str(b.description) ?? ''}`.replace(/: $/, ''), code: code(b.code) };
  if (/^fail/i.test(str(b.status) ?? '')) return { message: str(b.Error_Message) ?? str(b.message) ?? 'MoEngage reported a failure', code: code(b.code) };
  return undefined;
}

/**
 * The effective HTTP status of a 2xx body that carries an error (any envelope, Push API "Fail" bodies on
 * HTTP 200: notes §2 (f)), for the client's `classify`: the status named in the code ("500 Internal
 * Server Error", "429 conflict"), 401 for a refused signature or key, else 400; undefined for a success.
 */
export function classifyMoe(body: unknown): number | undefined {
  const e = envelopeError(body);
  if (!e) return undefined;
  const named = /^\s*([1-5]\d\d)\b/.exec(String(e.code ?? ''))?.[1];
  if (named && Number(named) >= 400) return Number(named);
  return /signature|auth|api.?key|credential/i.test(e.message) ? 401 : 400;
}

/** What to check for an HTTP status that usually means wrong credentials or a wrong id. */
export function hintFor(status: number): string | undefined {
  if (status === 401 || status === 403) return AUTH_HINT;
  if (status === 404) return 'Check the campaign id and MOENGAGE_DATA_CENTER.';
  return undefined;
}

/** An answer with no JSON body (HTML, malformed or empty) as a non-retryable VendorError. */
export function unreadable(res: HttpResponse): VendorError {
  const html = /^\s*</.test(res.text);
  return new VendorError({
    vendor: 'moengage', status: res.status, retryable: false,
    message: html ? 'MoEngage answered with an HTML page instead of JSON' : res.text.trim() ? 'MoEngage answered with malformed JSON' : 'MoEngage answered with an empty body',
    hint: 'A proxy or an outage may be in the way; try again shortly.',
  });
}

/** A MoEngage answer that is not the documented shape, so an API change surfaces instead of a wrong result. */
export function shapeError(what: string): VendorError {
  return vendorShapeError('moengage', `MoEngage answered with ${what}`);
}

/** A campaign id that neither search nor meta returned. */
export function notFound(id: string): VendorError {
  return new VendorError({ vendor: 'moengage', status: 404, message: `campaign ${id} not found`, hint: 'Check the id with list_campaigns (archived campaigns included).' });
}

/** Longest wait taken from an x-ratelimit-reset header (notes re-check: seconds or epoch seconds). */
const MAX_RESET_WAIT_MS = 60_000;

/** When the server says the window is used up, hold further requests until its reset. */
export async function noteRateHeaders(http: HttpClient, key: string, res: HttpResponse): Promise<void> {
  const remaining = parseFloat(String([res.headers['x-ratelimit-remaining']].flat()[0] ?? '').split(',')[0] ?? '');
  const ms = parseRateReset(res.headers['x-ratelimit-reset']);
  if (remaining === 0 && ms !== undefined) await http.holdFor(key, Math.min(ms, MAX_RESET_WAIT_MS));
}

/** Inform's error body `{message, err_code, status_code}` (inform.yaml), else the v1 envelopes. */
export function describeInform(status: number, body: unknown): { message: string; code?: string | number } {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  if (typeof b.message === 'string') return { message: b.message, code: typeof b.status_code === 'number' ? b.status_code : (b.err_code as string | undefined) };
  return envelopeError(body) ?? { message: `MoEngage answered HTTP ${status}` };
}

/**
 * Inform's 200 carries a per-channel entry `{ message, err_code, status_code }` (notes §2(f)): an entry with an
 * err_code for a channel this request sent is MoEngage refusing that message (a bad number, a channel the alert
 * lacks), so nothing went to that recipient and the same token does not send it again. Success entries carry none.
 */
export function channelRefusal(answer: Record<string, unknown>, sent: unknown): string | undefined {
  const payloads = isObject(sent) && isObject(sent.payloads) ? Object.keys(sent.payloads) : [];
  for (const channel of payloads) {
    // The answer's key in any case ("SMS", "sms"); an err_code a string or a number.
    const key = Object.keys(answer).find((k) => k.toUpperCase() === channel.toUpperCase());
    const entry = key === undefined || !isObject(answer[key]) ? undefined : answer[key] as Record<string, unknown>;
    const err = entry?.err_code;
    if (!entry || !((typeof err === 'string' && err.trim()) || typeof err === 'number')) continue;
    const why = typeof entry.message === 'string' && entry.message.trim() ? clip(entry.message.trim(), 160) : 'no reason given';
    const code = typeof entry.status_code === 'number' || typeof entry.status_code === 'string' ? ` ${entry.status_code}` : '';
    return `MoEngage refused the ${channel} message: ${why} (${clip(String(err), 40)}${code})`;
  }
  return undefined;
}
