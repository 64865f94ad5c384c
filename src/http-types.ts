import type { VendorId } from './domain.js';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { ConcurrencySlots, RateWindows, SlidingWindow } from './store.js';

export interface HttpRequest {
  vendor: VendorId;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Reads retry on 429/5xx/connection errors; writes only where the vendor certainly did not act. */
  kind: 'read' | 'write';
  /**
   * A write the vendor documents as safe to repeat (it carries a documented idempotency key, or the operation is
   * idempotent): retried like a read on a 5xx, a timeout or a lost connection, since a repeat cannot act twice.
   */
  idempotent?: boolean;
  /** Documented "N requests per interval" pacing (and sliding windows), shared by every request with the same key; retries count too. */
  pace?: { key: string; intervalMs: number; windows?: readonly SlidingWindow[] };
  /** Documented concurrency cap, shared by every request with the same key. */
  concurrency?: { key: string; max: number };
  /** Minimum wait after a 429 (Batch documents 5 s). */
  minWaitAfter429Ms?: number;
  /** After a 429, every request sharing this key waits out the same hold, not just the one refused. */
  hold?: string;
  /**
   * For vendors that report errors inside a 2xx body (Altcraft `error`, CleverTap `status: "fail"`):
   * the effective HTTP status of that body, or undefined when it is a success. Lets 429/5xx-in-200 retry.
   */
  classify?: (body: unknown) => number | undefined;
  /** Turn a non-2xx answer into the vendor's own message and code. */
  describe?: (status: number, body: unknown, text: string) => { message: string; code?: string | number; hint?: string };
  signal?: AbortSignal;
  /**
   * Aborted while the request still waits its turn (pace, concurrency cap, a hold, a retry's backoff), it is not
   * sent: a VendorError with `notSent`. Unlike `signal` it never cuts a request already on the wire (its outcome
   * would be unknown): a send stopping after a refusal that applies to every batch halts only what has not gone out.
   */
  beforeSend?: AbortSignal;
  /** Runs just before the request goes on the wire, each attempt (the write gate journals the attempt here); a throw sends nothing. */
  onSend?: () => Promise<void>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined when the body is empty. */
  body: unknown;
  text: string;
}

export interface HttpOptions {
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error says when to try again. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  /** Longest hold stored after a 429 or a "window used up" header: an absurd Retry-After must not freeze a vendor for days. */
  maxHoldMs?: number;
  /** Largest body read from a vendor, per request; over it the request fails (not retried) and the socket is dropped. */
  maxBodyBytes?: number;
  /** Where pacing reservations live (default: this process); a shared store can replace it. */
  rates?: RateWindows;
  /** Where concurrency caps are held (default: this process); a shared store can replace it. */
  slots?: ConcurrencySlots;
  /** Where pacing, holds and backoff read the time and wait (default wall time); writers use it too. */
  clock?: Clock;
  /** Override one half of the clock (tests of pacing and backoff that must not wait at all). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  logger?: Logger;
}
