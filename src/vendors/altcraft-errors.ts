import { VendorError } from '../errors.js';
import type { HttpResponse } from '../http.js';
import { isObject, shapeError as commonShapeError } from './common.js';

type Rec = Record<string, unknown>;

/** One successful Altcraft answer: its `data` and the whole envelope (paging fields such as next_from_id live on top). */
export type Envelope = { data: unknown; top: Rec };

/** The id forms users must pass, repeated in every id error so they can correct it. */
export const ID_HELP = 'Altcraft ids are "campaign-<id>" (a campaign container, /scampaigns) or "mailing-<id>" (a mailing, /campaigns)';

/** An `error != 0` envelope (it may come with HTTP 200) as its effective HTTP status, so 429/5xx retry. */
export function envelopeStatus(body: unknown): number | undefined {
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Rec) : undefined;
  if (!b || b.error === undefined || b.error === null || b.error === 0 || b.error === '0') return undefined;
  const n = Number(b.error);
  return Number.isInteger(n) && n >= 400 && n <= 599 ? n : 400;
}

/**
 * The envelope of a 2xx answer to `method`. An `error != 0` envelope never reaches here: the HTTP client
 * classifies it (envelopeStatus) and throws it at its effective status, worded by describeAltcraft.
 */
export function readEnvelope(res: HttpResponse, method: string): Envelope {
  if (!isObject(res.body)) {
    const what = /^\s*</.test(res.text) ? 'an HTML page' : res.text.trim() ? 'malformed JSON' : 'an empty body';
    throw commonShapeError('altcraft', `${method} answered with ${what} instead of Altcraft's JSON envelope`, 'Check ALTCRAFT_BASE_URL points at the Altcraft API; if it does, try again shortly.', true);
  }
  return { data: res.body.data, top: res.body };
}

/** A `data` that must be one record, or a shape error naming the method. */
export function record(v: unknown, method: string): Rec {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw shapeError(method, 'data is not an object');
  return v as Rec;
}

/** A campaign or mailing that does not exist, keeping the vendor's code when there is one. */
export function missing(id: string, cause?: VendorError): VendorError {
  return new VendorError({ vendor: 'altcraft', status: 404, code: cause?.code, message: `campaign ${id} not found`, hint: `${ID_HELP}; list campaigns to see them.` });
}

/** An answer that differs from the documented API, so a version mismatch surfaces instead of a wrong result. */
export function shapeError(method: string, what: string): VendorError {
  return commonShapeError('altcraft', `unexpected answer from ${method}: ${what}`, 'The Altcraft version may differ from the documented API; report this with the raw response.');
}
