import type { Dispatcher } from 'undici';
import type { HttpRequest, HttpResponse } from './http.js';
import { VendorError } from './errors.js';
import { StoreError } from './store.js';

const UNKNOWN_HINT = 'The vendor may have acted on it: check in the vendor before sending it again.';

/** Connection errors after which the request certainly never reached the vendor. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** A non-2xx answer (or a 2xx envelope error at its effective status) as a VendorError with its outcome. */
export function statusError(req: HttpRequest, res: HttpResponse): VendorError {
  const described = req.describe?.(res.status, res.body, res.text);
  const html = res.body === undefined && /^\s*</.test(res.text);
  const message =
    described?.message ??
    (html ? `the vendor answered with an HTML page instead of JSON` : `the vendor answered HTTP ${res.status}`);
  // Retry-After first; a 429 without one may still say when its window resets (MoEngage's v1 API: notes, Common).
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']) ?? (res.status === 429 ? parseRateReset(res.headers['x-ratelimit-reset']) : undefined);
  // A 429 was refused before acting; a 5xx on a write may have acted, so its outcome is unknown.
  const unknown = req.kind === 'write' && res.status >= 500;
  return new VendorError({
    vendor: req.vendor,
    status: res.status,
    code: described?.code,
    message,
    hint: unknown ? UNKNOWN_HINT : (described?.hint ?? defaultHint(res.status, retryAfterMs)),
    // An idempotent write may have acted, and repeating it cannot act twice: it retries like a read.
    retryable: res.status === 429 || (res.status >= 500 && (!unknown || req.idempotent === true)),
    outcome: unknown ? 'unknown' : 'failed',
    retryAfterMs,
  });
}

/**
 * How a write's retry ended, after an earlier attempt that may have acted: unknown, whatever the retry met. The
 * retry's status and code are kept (a vendor's "this request id was already used" still says the write was made).
 */
export function afterUnknown(req: HttpRequest, err: unknown, first: VendorError): VendorError {
  const e = err instanceof VendorError ? err : undefined;
  return new VendorError({
    vendor: req.vendor, status: e?.status, code: e?.code, retryAfterMs: e?.retryAfterMs, outcome: 'unknown', hint: UNKNOWN_HINT, cause: err,
    message: `an earlier attempt may have acted (${first.message}); then ${e?.message ?? (err instanceof Error ? err.message : 'the call was cancelled')}`,
  });
}

/** A request that got no answer as a VendorError: not sent, unknown (a write), or retryable (a read). */
export function connectionError(req: HttpRequest, err: unknown, timeoutMs: number): VendorError {
  const code = errorCode(err);
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  if (req.signal?.aborted) {
    if (req.kind === 'read' || notSent) throw req.signal.reason ?? err;
    return new VendorError({ vendor: req.vendor, message: 'the call was cancelled after the request was sent', outcome: 'unknown', hint: UNKNOWN_HINT, cause: err });
  }
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  if (code === undefined && !timedOut) throw err; // a bug, not the network: do not disguise it as one
  const unknown = req.kind === 'write' && !notSent;
  return new VendorError({
    vendor: req.vendor,
    message: timedOut
      ? `no answer within ${Number((timeoutMs / 1000).toFixed(1))} s`
      : `could not reach ${new URL(req.url).host} (${code ?? (err instanceof Error ? err.message : 'connection error')})`,
    code,
    retryable: !unknown || req.idempotent === true,
    outcome: unknown ? 'unknown' : 'failed',
    notSent,
    hint: unknown ? UNKNOWN_HINT : notSent ? 'Check the base URL and that the vendor is reachable.' : 'The vendor may be slow or down; try again shortly.',
    cause: err,
  });
}

/** A vendor body over the size cap: the request is dropped, never retried as a network fault. */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
  constructor(readonly max: number, readonly declared?: number) {
    super(`body over ${max} bytes`);
  }
}

/** The body as text, reading at most `max` bytes: a larger (or endless) body is dropped with its socket. */
export async function readCapped(r: Dispatcher.ResponseData, max: number): Promise<string> {
  const declared = Number(r.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    r.body.destroy();
    throw new BodyTooLarge(max, declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of r.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      r.body.destroy();
      throw new BodyTooLarge(max);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** An answer over the body cap as a VendorError: not retryable; a write that got one may have acted. */
export function tooLargeError(req: HttpRequest, err: BodyTooLarge): VendorError {
  const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  const unknown = req.kind === 'write';
  return new VendorError({
    vendor: req.vendor,
    code: 'BODY_TOO_LARGE',
    message: `the vendor's answer was ${err.declared ? mb(err.declared) : `over ${mb(err.max)}`}, more than the ${mb(err.max)} read per request; stopped reading it`,
    outcome: unknown ? 'unknown' : 'failed',
    hint: unknown ? UNKNOWN_HINT : 'Narrow the request (vendor, dates, status), or raise CAMPAIGN_MCP_MAX_BODY_MB if this account really answers that much.',
  });
}

/** The final error of a retried request says how long it was really tried, not only one attempt's timeout. */
export function withAttempts(err: VendorError, attempts: number, elapsedMs: number): VendorError {
  return new VendorError({
    vendor: err.vendor, status: err.status, code: err.code, retryable: err.retryable, outcome: err.outcome, notSent: err.notSent,
    hint: err.hint, retryAfterMs: err.retryAfterMs, cause: err.cause,
    message: `${err.message} (${attempts} attempts over ${(elapsedMs / 1000).toFixed(1)} s)`,
  });
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * An `x-ratelimit-reset` header as the wait until the window resets: epoch seconds on one MoEngage page, seconds
 * until the reset in its specs (notes, Common), epoch milliseconds elsewhere, told apart by size; undefined when
 * absent, unreadable or past.
 */
export function parseRateReset(value: string | string[] | undefined): number | undefined {
  const v = parseFloat(String(Array.isArray(value) ? value[0] : value ?? '').split(',')[0] ?? '');
  if (!Number.isFinite(v)) return undefined;
  // An epoch in milliseconds (another vendor's habit) is told apart the same way.
  const ms = v > 1e11 ? v - Date.now() : v > 1e9 ? v * 1000 - Date.now() : v * 1000;
  return ms > 0 ? ms : undefined;
}

function defaultHint(status: number, retryAfterMs?: number): string | undefined {
  if (status === 429) return retryAfterMs ? `Rate limited; the vendor asks to wait ${waitWords(retryAfterMs)} before trying again.` : 'Rate limited; try again shortly.';
  if (status >= 500) return 'The vendor is having trouble; try again shortly.';
  return undefined;
}

function waitWords(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s <= 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 8640) / 10} days`;
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A shared store that failed while a request waited for its turn, or a `beforeSend` that stopped it: the request
 * was certainly not sent. Anything else (the call's own `signal`) passes through as it was.
 */
export function notSent(req: HttpRequest, err: unknown): unknown {
  if (err instanceof StoreError) return new VendorError({ vendor: req.vendor, message: `${err.message}; the request was not sent`, notSent: true, cause: err });
  if (req.beforeSend?.aborted && !req.signal?.aborted && !(err instanceof VendorError)) {
    return new VendorError({ vendor: req.vendor, message: 'not sent: the write stopped before this request went out', notSent: true, cause: err });
  }
  return err;
}

/** A body as JSON, or undefined when it is empty or not JSON (its text is kept beside it). */
export function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
