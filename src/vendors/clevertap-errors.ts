import { InputError, VendorError } from '../errors.js';
import type { HttpResponse } from '../http.js';
import { isObject, shapeError as commonShapeError } from './common.js';

type Rec = Record<string, unknown>;

const AUTH_HINT = 'Check CLEVERTAP_ACCOUNT_ID, CLEVERTAP_PASSCODE and CLEVERTAP_REGION (a wrong region also answers 401).';

/** CleverTap's error envelope {status:'fail', error, code} as message/code/hint. */
export function describeCleverTap(status: number, body: unknown, text: string): { message: string; code?: string | number; hint?: string } {
  const b = (body && typeof body === 'object' ? body : {}) as Rec;
  const code = typeof b.code === 'number' || typeof b.code === 'string' ? b.code : undefined;
  const message = typeof b.error === 'string' && b.error ? b.error
    : /^\s*</.test(text) ? `CleverTap answered HTTP ${status} with an HTML page instead of JSON` : `CleverTap answered HTTP ${status}`;
  const auth = status === 401 || code === 401 || code === '401';
  return { message, ...(code !== undefined ? { code } : {}), ...(auth ? { hint: AUTH_HINT } : {}) };
}

/** A `fail` envelope on HTTP 200 as its effective status (its numeric code when that is an HTTP status). */
export function failStatus(body: unknown): number | undefined {
  const b = body && typeof body === 'object' ? (body as Rec) : undefined;
  if (b?.status !== 'fail') return undefined;
  const code = Number(b.code);
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : 400;
}

/**
 * The success body of a 2xx answer. A `fail` envelope never reaches here: the HTTP client classifies it
 * (failStatus) and throws it at its effective status. Anything else undocumented is a shape error.
 */
export function envelope(res: HttpResponse, what: string): Rec {
  const b = res.body;
  if (!isObject(b)) {
    throw shapeError(what, /^\s*</.test(res.text) ? 'an HTML page instead of JSON' : res.text.trim() ? 'malformed JSON' : 'an empty body');
  }
  if (b.status !== 'success') throw shapeError(what, `status "${String(b.status)}" is neither success nor fail`);
  return b;
}

/** A CleverTap answer that is not the documented shape, as a VendorError naming the endpoint. */
export function shapeError(what: string, detail: string): VendorError {
  return commonShapeError('clevertap', `CleverTap answered ${what} with ${detail}`, 'Check CLEVERTAP_BASE_URL points at the CleverTap API; try again shortly.');
}

/** The status word in "Campaign is <status>", the answer result.json gives before completion (notes 1(c)). */
export function notCompleted(error: unknown): string | undefined {
  if (typeof error !== 'string') return undefined;
  if (/not (yet )?completed/i.test(error)) return 'not completed yet';
  const word = /campaign (?:\d+ )?is (\w+)/i.exec(error)?.[1]?.toLowerCase();
  return word && word !== 'completed' ? word : undefined;
}

/** A campaign id as the integer CleverTap expects, or an InputError before any request is made. */
export function campaignId(id: string): number {
  if (!/^\d{1,15}$/.test(id.trim())) throw new InputError(`CleverTap campaign ids are integers (e.g. 1457432766), got "${id}"`);
  return Number(id.trim());
}

/** A secondary endpoint's vendor failure as a value (the result degrades); anything else still throws. */
export function secondary(err: unknown, signal?: AbortSignal): VendorError {
  if (signal?.aborted || !(err instanceof VendorError)) throw err;
  return err;
}
