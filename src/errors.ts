import type { VendorId } from './domain.js';
import { redact } from './log.js';

/**
 * The one outcome vocabulary of a vendor write, shared by errors, the adapter interface and the journal:
 * `succeeded` (the vendor accepted it), `failed` (the vendor refused it, or it never reached the vendor),
 * `unknown` (the vendor may have acted: reported, never resent blindly). A batch not yet sent is `pending`.
 */
export type Outcome = 'succeeded' | 'failed' | 'unknown';
export type PartState = Outcome | 'pending';

/** A failure talking to a vendor, typed so tools can explain it and the client can decide to retry. */
export class VendorError extends Error {
  override readonly name = 'VendorError';
  readonly vendor: VendorId;
  readonly status: number | undefined;
  readonly code: string | number | undefined;
  readonly retryable: boolean;
  /** What a failed request means for a write: `failed` (refused or never sent) or `unknown` (may have acted). */
  readonly outcome: Exclude<Outcome, 'succeeded'>;
  /** True when the request certainly never reached the vendor (refused connection, DNS): safe to resend. */
  readonly notSent: boolean;
  readonly hint: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    vendor: VendorId;
    message: string;
    status?: number;
    code?: string | number;
    retryable?: boolean;
    outcome?: Exclude<Outcome, 'succeeded'>;
    notSent?: boolean;
    hint?: string;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    // Vendors echo what they were sent; scrub credentials where every vendor message enters.
    super(redact(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.vendor = init.vendor;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    this.outcome = init.outcome ?? 'failed';
    this.notSent = init.notSent ?? false;
    this.hint = init.hint === undefined ? undefined : redact(init.hint);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * A read the vendor's documented rate window (used up by earlier calls) held until the call gave up: nothing was
 * sent, and the message says when the window frees, so the person waits instead of retrying at once.
 */
export class RateWindowHeld extends VendorError {
  /** `why`: what holds it, e.g. "rate window (100 requests a minute) was used up by earlier calls". */
  constructor(vendor: VendorId, why: string, freesInMs: number, cause?: unknown) {
    const s = Math.max(1, Math.ceil(freesInMs / 1000));
    super({
      vendor,
      message: `the vendor's ${why} and frees in about ${s} s, after this call's deadline; nothing was sent`,
      notSent: true,
      retryAfterMs: freesInMs,
      hint: `Try again in ${s} s.`,
      cause,
    });
  }

  /** Held by the documented sliding windows this client paces to. */
  static windows(vendor: VendorId, windows: ReadonlyArray<{ limit: number; ms: number }>, freesInMs: number, cause?: unknown): RateWindowHeld {
    const per = (ms: number) => (ms === 60_000 ? 'a minute' : ms === 3_600_000 ? 'an hour' : `${Math.round(ms / 1000)} s`);
    return new RateWindowHeld(vendor, `rate window (${windows.map((w) => `${w.limit.toLocaleString('en')} requests ${per(w.ms)}`).join(', ')}) was used up by earlier calls`, freesInMs, cause);
  }
}

/** Bad input caught before any vendor is contacted; the message says what to fix. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** A capability the vendor does not offer; the message says what it offers instead. */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
  constructor(
    readonly vendor: VendorId,
    message: string,
  ) {
    super(message);
  }
}

/** Every account a call targeted failed: the result is an error naming each one's reason, never an empty success. */
export class AllFailedError extends Error {
  override readonly name = 'AllFailedError';
  constructor(readonly failures: ReadonlyArray<{ vendor: VendorId; account?: string; message: string }>) {
    super(failures.map((f) => `${f.vendor}${f.account ? `/${f.account}` : ''}: ${f.message}`).join(' '));
  }
}

/** A call that ran out of its deadline: says the real time waited, so the person knows what happened. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly deadlineMs: number, readonly waitedMs: number) {
    super(`no complete answer within the call's ${Number((deadlineMs / 1000).toFixed(1))} s deadline (waited ${(waitedMs / 1000).toFixed(1)} s); the vendor is slow or not answering: try again shortly, or narrow the request`);
  }
}

/** Errors that are a result (the person's input, a vendor's answer), not a bug worth a stack in the log. */
export function isExpectedError(err: unknown): boolean {
  return err instanceof VendorError || err instanceof InputError || err instanceof UnsupportedError || err instanceof AllFailedError || err instanceof DeadlineError;
}

/** One sentence a person can act on: "Could not <action> on <vendor>: <cause>. <what to do>" */
export function describeError(action: string, err: unknown): string {
  if (err instanceof VendorError) {
    const status = err.status ? ` (HTTP ${err.status}${err.code !== undefined ? `, code ${err.code}` : ''})` : '';
    const hint = err.hint ? ` ${err.hint}` : '';
    return `Could not ${action} on ${err.vendor}: ${stripDot(err.message)}${status}.${hint}`;
  }
  if (err instanceof UnsupportedError) return `Could not ${action} on ${err.vendor}: ${err.message}`;
  if (err instanceof InputError) return `Invalid input: ${err.message}`;
  if (err instanceof AllFailedError) {
    return `Could not ${action}: every account asked failed, so nothing is listed. ${err.message}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `Could not ${action}: ${stripDot(message)}.`;
}

function stripDot(s: string): string {
  return s.replace(/[.\s]+$/, '');
}
