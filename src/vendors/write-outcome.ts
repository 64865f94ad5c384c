import { VendorError } from '../errors.js';
import type { PartOutcome } from './vendor.js';

/** HTTP statuses whose refusal applies to every part of a write (credentials, rights, the route itself). */
const FATAL_STATUSES = new Set([401, 403, 404, 405]);

/**
 * A failed write request as a part outcome, in the journal's vocabulary. `fatal` when the refusal applies
 * to every batch (bad credentials, or `contentError` says the content itself was refused); `not_acted`
 * when the vendor certainly did not act (a 429 after the client's retries, a connection never made).
 */
export function outcomeOfError(err: unknown, options: { contentError?: (e: VendorError) => boolean } = {}): PartOutcome {
  if (!(err instanceof VendorError)) throw err;
  const detail = [err.message, err.status ? `HTTP ${err.status}` : undefined, err.code !== undefined ? `code ${err.code}` : undefined]
    .filter(Boolean).join(', ');
  if (err.outcome === 'unknown') return { state: 'unknown', message: `${detail}. ${err.hint ?? 'The vendor may have acted on it.'}` };
  const notActed = err.notSent || err.status === 429;
  const fatal = (err.status !== undefined && FATAL_STATUSES.has(err.status)) || options.contentError?.(err) === true;
  return { state: 'failed', message: detail, ...(notActed ? { not_acted: true } : {}), ...(fatal ? { fatal: true } : {}) };
}
