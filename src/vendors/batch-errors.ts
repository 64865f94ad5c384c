import { isObject } from './common.js';

/** Documented MEP errors by HTTP status (notes §3 table; seed 003): the status is authoritative. */
export const BATCH_ERRORS: Readonly<Record<number, { name: string; code: number; hint?: string }>> = {
  400: { name: 'MALFORMED_PARAMETER', code: 31, hint: 'Batch rejected a parameter; this is likely a bug in the Batch adapter.' },
  401: { name: 'AUTHENTICATION_INVALID', code: 10, hint: 'Check BATCH_API_KEY (the Live app API key) and BATCH_REST_API_KEY.' },
  403: { name: 'API_MISUSE', code: 12, hint: 'Batch refused this use of the API; campaign details and stats accept Live API keys only.' },
  404: { name: 'ROUTE_NOT_FOUND', code: 20 },
  429: { name: 'TOO_MANY_REQUESTS', code: 60, hint: 'Batch asks to wait at least 5 s before trying again.' },
  500: { name: 'SERVER_ERROR', code: 0, hint: 'Batch had an internal error; try again shortly.' },
  503: { name: 'MAINTENANCE_ERROR', code: 2, hint: 'Batch is under maintenance; try again later.' },
};

/** Documented error codes (notes §3 table) onto their HTTP status, for an error body that comes with a 200. */
const STATUS_OF_CODE: Readonly<Record<number, number>> = Object.fromEntries(
  [...Object.entries(BATCH_ERRORS).map(([status, e]) => [e.code, Number(status)]), [30, 400], [32, 400], [1, 500]],
);

/**
 * The effective status of a 2xx body that is an error (key names [U], notes §3: `error_code`, or `code`
 * on a body that is neither a campaign nor stats), for the client's `classify`; undefined for a success.
 */
export function classifyBatch(body: unknown): number | undefined {
  if (!isObject(body)) return undefined;
  const code = body.error_code ?? (body.campaign_token === undefined && body.detail === undefined ? body.code : undefined);
  if (code === undefined || code === null) return undefined;
  return STATUS_OF_CODE[Number(code)] ?? 400;
}
