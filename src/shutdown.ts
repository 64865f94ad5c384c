import type { Logger } from 'pino';

/** The reason calls in flight are aborted with when the process stops: their answers say so. */
export class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
  constructor(readonly why: string) {
    super(`campaign-mcp is shutting down (${why}); nothing more was asked of the vendor: call again once it is back`);
  }
}

/** How long aborted calls get to write their answers (a write's batch already sent may finish) before the process exits. */
export const ANSWER_GRACE_MS = 1_000;
/** Past this, the process exits whatever is still closing. */
const HARD_STOP_MS = 3_000;

export interface ShutdownStep {
  /** Stop taking new requests (HTTP: answer 503); answers of calls in flight may still go out. */
  refuse?: () => void;
  /** Resolve once the calls in flight have answered, or false after `ms`. */
  drain?: (ms: number) => Promise<boolean>;
  /** Release the transport and everything else; the process exits after. */
  close: () => Promise<void>;
}

/**
 * One way out of the process, whatever asks (SIGTERM, SIGINT, stdin closed, the stdio transport closed on a bad
 * message): refuse new work, abort every call in flight through `signal` (down to the vendor sockets), give their
 * answers a moment, release, exit. Prompt by construction: nothing waits on a vendor.
 */
export class Shutdown {
  private readonly controller = new AbortController();
  private step: ShutdownStep | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger, private readonly exit: (code: number) => void = (code) => process.exit(code)) {}

  /** Joined into every call's signal: aborted when the process stops. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** What to release on the way out. */
  use(step: ShutdownStep): void {
    this.step = step;
  }

  /** Stop on SIGTERM and SIGINT (exit 0). */
  onSignals(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void this.stop(`${signal} received`, 0));
  }

  /** Stop once, for `why`; `code` is the exit code (non-zero: logged as an error). Later calls return the same promise. */
  stop(why: string, code: number): Promise<void> {
    this.stopping ??= this.run(why, code);
    return this.stopping;
  }

  private async run(why: string, code: number): Promise<void> {
    const started = performance.now();
    if (code === 0) this.logger.info({ reason: why }, 'shutting down');
    else this.logger.error({ reason: why, exitCode: code }, `${why}; exiting`);
    setTimeout(() => this.exit(code), HARD_STOP_MS).unref();
    try {
      this.step?.refuse?.();
      this.controller.abort(new ShutdownError(why));
      const answered = (await this.step?.drain?.(ANSWER_GRACE_MS)) ?? true;
      if (!answered) this.logger.warn('shutdown: some calls did not answer in time; their answers are lost');
      await this.step?.close();
    } catch (err) {
      this.logger.error({ err: String(err) }, 'shutdown failed');
    }
    this.logger.info({ ms: Math.round(performance.now() - started) }, 'stopped');
    this.exit(code);
  }
}
