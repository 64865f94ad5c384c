import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { RateWindowHeld, VendorError } from './errors.js';
import { BodyTooLarge, afterUnknown, connectionError, notSent, parseJson, readCapped, statusError, tooLargeError, withAttempts } from './http-errors.js';
import { redact, silentLogger } from './log.js';
import { realClock, type Clock } from './clock.js';
import { endOf, joinSignals } from './deadline.js';
import { LocalRateWindows, LocalSlots, type ConcurrencySlots, type RateWindows } from './store.js';

/** Largest vendor body read by default: a 50 MB (or endless) answer must not take the server down. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;


import type { HttpOptions, HttpRequest, HttpResponse } from './http-types.js';

export type { HttpOptions, HttpRequest, HttpResponse };

/** Why a request under a held key waits: the vendor's own answer said its window is used up. */
const HELD_BY_VENDOR = 'rate limit was reached (its last answer said so)';

/**
 * The one HTTP client every adapter shares: connection reuse, timeouts, a body size cap, retries with
 * backoff that honours Retry-After (capped), per-endpoint pacing and concurrency caps, and typed VendorErrors.
 * A call cancelled before its request is sent gives back its pace reservation and its place in the queue.
 */
export class HttpClient {
  private undici: Promise<{ dispatcher: Dispatcher; request: typeof import('undici').request }> | undefined;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly maxHoldMs: number;
  private readonly maxBodyBytes: number;
  /** Pacing reservations; writers reserve their own quotas (MoEngage creations) here too. */
  readonly rates: RateWindows;
  private readonly slots: ConcurrencySlots;
  /** The clock every wait of this client (and of the writers sharing it) runs on. */
  readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: HttpOptions = {}) {
    this.retries = options.retries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.maxHoldMs = options.maxHoldMs ?? this.maxRetryAfterMs;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.rates = options.rates ?? new LocalRateWindows();
    this.slots = options.slots ?? new LocalSlots();
    const base = options.clock ?? realClock;
    this.clock = { now: options.now ?? (() => base.now()), sleep: options.sleep ?? ((ms, signal) => base.sleep(ms, signal)) };
    // A sleep of its own may wait any real time: then no wait is known to outlast a deadline.
    if (!options.sleep) this.clock.realMs = (ms) => base.realMs?.(ms) ?? ms;
    this.logger = options.logger ?? silentLogger;
  }

  /** undici is loaded on the first request: start-up (tools/list) never needs it. */
  private client() {
    this.undici ??= import('undici').then((m) => {
      const u = (m.default ?? m) as typeof m; // CJS under ESM: the namespace may hold it as default
      return {
        dispatcher: new u.Agent({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout: 5_000 } }),
        request: u.request,
      };
    });
    return this.undici;
  }

  /**
   * Send a request and return a 2xx response, or throw a VendorError saying what happened.
   * A 2xx whose body `classify` calls an error is handled exactly like its effective status: retried
   * when that status would be, else thrown (`describe` words it; a write's 5xx is `unknown`).
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    // A write retried after an attempt that may have acted (an idempotent one after a 5xx or no answer) stays unknown
    // whatever its retries then meet: a 429, a refusal, a halt or a cancel says nothing of that first attempt, and
    // reading it as "not acted" would let a new preview write it again.
    let mayHaveActed: VendorError | undefined;
    try {
      return await this.attempts(req, (e) => (mayHaveActed ??= e));
    } catch (err) {
      if (!mayHaveActed || (err instanceof VendorError && err.outcome === 'unknown')) throw err;
      throw afterUnknown(req, err, mayHaveActed);
    }
  }

  private async attempts(req: HttpRequest, onUnknown: (e: VendorError) => void): Promise<HttpResponse> {
    // Loaded before any pace slot or timeout starts: the first request's load must not delay it past the next one's
    // slot (they would reach the vendor closer than its pace), nor count against its own answer's time.
    await this.client().catch((err: unknown) => Promise.reject(notSent(req, err)));
    const cap = req.concurrency;
    const started = this.clock.now();
    // What every wait listens to; a `beforeSend` abort there means "not sent".
    const waits = req.beforeSend ? (req.signal ? joinSignals([req.signal, req.beforeSend]) : req.beforeSend) : req.signal;
    const wait = (ms: number) => this.clock.sleep(ms, waits).catch((err: unknown) => Promise.reject(notSent(req, err)));
    for (let attempt = 0; ; attempt++) {
      await this.waitOutHold(req, waits);
      // Wait for the pace slot without holding a concurrency slot, then re-check the actual spacing once
      // holding one, so requests queued behind the cap cannot burst. Nothing is sent before `once`.
      const slot = req.pace ? await this.paced(req, req.pace, waits).catch((err: unknown) => Promise.reject(notSent(req, err))) : undefined;
      let release: (() => void) | undefined;
      let res: HttpResponse | undefined;
      let failure: VendorError;
      try {
        try {
          release = cap ? await this.slots.acquire(cap.key, cap.max, waits) : undefined;
          // Again once its turn came: a 429 heard while it queued (behind the cap, for its pace slot) holds it too.
          await this.waitOutHold(req, waits);
          if (req.pace) await this.spaced(req.pace.key, req.pace.intervalMs, waits);
          if (req.beforeSend?.aborted) throw req.beforeSend.reason;
          await req.onSend?.();
        } catch (err) {
          if (slot !== undefined) await this.rates.release(req.pace!.key, slot, req.pace!.intervalMs);
          throw notSent(req, err);
        }
        res = await this.once(req).catch((err: unknown) => {
          failure = err instanceof BodyTooLarge ? tooLargeError(req, err) : connectionError(req, err, this.timeoutMs);
          return undefined;
        });
      } finally {
        // Also space from the answer: the next request then arrives >= interval after this one did, whatever the latency.
        if (req.pace) await this.rates.sent(req.pace.key, this.clock.now()).catch(() => undefined);
        // After a refusal the slot passes on a turn later, once the caller has seen it: a write gate halting on a
        // refusal for every batch must stop the request queued behind this one before it goes out.
        if (release) (res && res.status >= 200 && res.status < 300 && req.classify?.(res.body) === undefined ? release() : setImmediate(release));
      }
      const effective = res && res.status >= 200 && res.status < 300 ? req.classify?.(res.body) : undefined;
      if (res && res.status >= 200 && res.status < 300 && effective === undefined) return res;
      if (res) failure = statusError(req, effective === undefined ? res : { ...res, status: effective });
      if (req.kind === 'write' && failure!.outcome === 'unknown') onUnknown(failure!);
      const delay = this.retryDelay(req, failure!, attempt);
      if (req.hold && failure!.status === 429) await this.holdFor(req.hold, Math.max(delay ?? 0, failure!.retryAfterMs ?? 0, req.minWaitAfter429Ms ?? 0));
      if (delay === undefined) {
        // "no answer within 20 s" after four attempts would understate the wait: say how long it really was.
        throw attempt > 0 && !res ? withAttempts(failure!, attempt + 1, this.clock.now() - started) : failure!;
      }
      this.logger.debug({ vendor: req.vendor, status: failure!.status, attempt, wait: delay }, 'retrying vendor request');
      await wait(delay);
    }
  }

  /** Hold every request sharing `key` for `ms`, capped where it is stored (maxHoldMs), e.g. when a vendor says its window is used up. */
  async holdFor(key: string, ms: number): Promise<void> {
    const capped = Math.min(Math.max(0, ms), this.maxHoldMs);
    if (capped <= 0) return;
    // Not kept by a store that did not answer: this answer still stands, and the next request meets the store's failure.
    await this.rates.hold(key, capped, this.clock.now()).catch((err: unknown) => this.logger.warn({ key, err: (err as Error).message }, 'could not record a rate hold'));
  }

  /** Close the connections; `abandon` destroys requests still open (shutdown) instead of waiting for their answers. */
  async close(abandon = false): Promise<void> {
    if (!this.undici) return;
    const { dispatcher } = await this.undici;
    await (abandon ? dispatcher.destroy() : dispatcher.close());
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    const { dispatcher, request } = await this.client();
    const started = performance.now();
    // AbortSignal.any holds its sources weakly on Node 20: without a listener of its own a GC could take the timeout
    // with it and a silent vendor would never time out (after a failure the listener stays until the timeout fires).
    const held = () => {};
    timeout.addEventListener('abort', held, { once: true });
    const r = await request(url, { method: req.method, headers, body, signal, dispatcher });
    const text = await readCapped(r, this.maxBodyBytes);
    timeout.removeEventListener('abort', held);
    this.logger.debug(
      { vendor: req.vendor, method: req.method, path: redact(url.pathname), status: r.statusCode, ms: Math.round(performance.now() - started) },
      'vendor request',
    );
    return { status: r.statusCode, headers: r.headers, body: parseJson(text), text };
  }

  /**
   * Wait out a hold on the request's key (a 429, or the vendor's word that no requests remain), recorded by this
   * client or by any instance sharing its rate windows.
   */
  private async waitOutHold(req: HttpRequest, waits: AbortSignal | undefined): Promise<void> {
    if (!req.hold) return;
    const held = await this.rates.held(req.hold, this.clock.now()).catch((err: unknown) => Promise.reject(notSent(req, err)));
    if (held <= 0) return;
    const until = this.clock.now() + held;
    // Known now, not at the deadline: a read the vendor's word holds past the call's deadline is not waited for.
    if (req.kind === 'read' && this.outlasts(held, waits)) throw new RateWindowHeld(req.vendor, HELD_BY_VENDOR, held);
    await this.clock.sleep(held, waits).catch((err: unknown) => {
      // A read cut while the vendor's own word held it: say so, and when it frees.
      if (req.kind === 'read' && waits?.aborted && err === waits.reason) throw new RateWindowHeld(req.vendor, HELD_BY_VENDOR, until - this.clock.now(), err);
      throw notSent(req, err);
    });
  }

  /** How long to wait before another attempt, or undefined to give up now. */
  private retryDelay(req: HttpRequest, err: VendorError, attempt: number): number | undefined {
    if (attempt >= this.retries || !err.retryable) return undefined;
    if (req.kind === 'write' && !req.idempotent && !(err.status === 429 || err.notSent)) return undefined;
    if (err.retryAfterMs !== undefined && err.retryAfterMs > this.maxRetryAfterMs) return undefined;
    const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    const floor = err.status === 429 ? Math.max(err.retryAfterMs ?? 0, req.minWaitAfter429Ms ?? 0) : (err.retryAfterMs ?? 0);
    return Math.max(backoff, floor);
  }

  /** Reserve the next slot under the pace (and its sliding windows) and wait for it; a cancelled wait gives it back. */
  private async paced(req: HttpRequest, pace: NonNullable<HttpRequest['pace']>, signal?: AbortSignal): Promise<number> {
    const now = this.clock.now();
    const slot = await this.rates.reserve(pace.key, pace.intervalMs, now, pace.windows);
    // A read whose slot a used-up window puts past the call's deadline answers now, saying when the window frees.
    if (req.kind === 'read' && pace.windows && slot - now > pace.intervalMs && this.outlasts(slot - now, signal)) {
      await this.rates.release(pace.key, slot, pace.intervalMs);
      throw RateWindowHeld.windows(req.vendor, pace.windows, slot - now);
    }
    try {
      if (slot > now) await this.clock.sleep(slot - now, signal);
    } catch (err) {
      await this.rates.release(pace.key, slot, pace.intervalMs);
      // A read cut while a used-up window (not the usual spacing) held it: say so, and when the window frees.
      if (req.kind === 'read' && pace.windows && slot - now > pace.intervalMs && signal?.aborted && err === signal.reason) {
        throw RateWindowHeld.windows(req.vendor, pace.windows, slot - this.clock.now(), err);
      }
      throw err;
    }
    return slot;
  }

  /** Whether a wait of `ms` on the clock lasts past `signal`'s deadline (src/deadline.ts); false when either is unknown. */
  private outlasts(ms: number, signal: AbortSignal | undefined): boolean {
    const real = this.clock.realMs?.(ms);
    return real !== undefined && performance.now() + real > endOf(signal);
  }

  /** Just before sending: at least `intervalMs` since the last request actually sent for `key`. */
  private async spaced(key: string, intervalMs: number, signal?: AbortSignal): Promise<void> {
    let gap: number;
    while ((gap = await this.rates.space(key, intervalMs, this.clock.now())) > 0) await this.clock.sleep(gap, signal);
  }
}
