import type { HttpRequest, HttpResponse } from './http.js';
import { VendorError } from './errors.js';

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
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  // A 429 was refused before acting; a 5xx on a write may have acted, so its outcome is unknown.
  const unknown = req.kind === 'write' && res.status >= 500;
  return new VendorError({
    vendor: req.vendor,
    status: res.status,
    code: described?.code,
    message,
    hint: unknown ? UNKNOWN_HINT : (described?.hint ?? defaultHint(res.status, retryAfterMs)),
    retryable: res.status === 429 || (res.status >= 500 && !unknown),
    outcome: unknown ? 'unknown' : 'failed',
    retryAfterMs,
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
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : `could not reach ${new URL(req.url).host} (${code ?? (err instanceof Error ? err.message : 'connection error')})`,
    code,
    retryable: !unknown,
    outcome: unknown ? 'unknown' : 'failed',
    notSent,
    hint: unknown ? UNKNOWN_HINT : notSent ? 'Check the base URL and that the vendor is reachable.' : 'The vendor may be slow or down; try again shortly.',
    cause: err,
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

function defaultHint(status: number, retryAfterMs?: number): string | undefined {
  if (status === 429) return retryAfterMs ? `Rate limited; try again in ${Math.ceil(retryAfterMs / 1000)} s.` : 'Rate limited; try again shortly.';
  if (status >= 500) return 'The vendor is having trouble; try again shortly.';
  return undefined;
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
