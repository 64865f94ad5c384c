/** Prints a call's progress notifications on stderr, only once the call has taken more than a moment. */
export interface ProgressPrinter {
  report(params: Record<string, unknown>): void;
  done(): void;
}

/** On a terminal one line is rewritten in place; elsewhere (a pipe, a log) each update is its own line. */
export function progressPrinter(err: NodeJS.WritableStream & { isTTY?: boolean }, afterMs: number, now: () => number = Date.now): ProgressPrinter {
  const started = now();
  let shown = false;
  return {
    report(params) {
      if (now() - started < afterMs) return;
      const { progress, total, message } = params as { progress?: number; total?: number; message?: string };
      const count = typeof progress === 'number' ? (typeof total === 'number' ? `${progress}/${total}` : String(progress)) : '';
      const line = `campaign-mcp: ${[count, message].filter(Boolean).join(' ')}`;
      err.write(err.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
      shown = true;
    },
    done() {
      if (shown && err.isTTY) err.write('\r\x1b[K');
      shown = false;
    },
  };
}
