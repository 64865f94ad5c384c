/**
 * Signals that know when they will abort on their own: a call's deadline and what is joined from it. A wait that
 * cannot end before then (a vendor's used-up rate window) fails at once, saying when the window frees, instead of
 * holding the call until its deadline for an answer known at the start.
 */
const ENDS = new WeakMap<AbortSignal, () => number>();

/** AbortSignal.timeout(ms), remembering when it fires (performance.now() ms). */
export function deadlineSignal(ms: number): AbortSignal {
  const signal = AbortSignal.timeout(ms);
  const at = performance.now() + ms;
  ENDS.set(signal, () => at);
  return signal;
}

/** AbortSignal.any(signals), ending when the first of them with a known end does. */
export function joinSignals(signals: AbortSignal[]): AbortSignal {
  const joined = AbortSignal.any(signals);
  const ends = signals.flatMap((s) => ENDS.get(s) ?? []);
  if (ends.length) ENDS.set(joined, () => Math.min(...ends.map((end) => end())));
  return joined;
}

/** `signal` ends when `end()` (performance.now() ms) says: a fetch shared by several calls ends with the last of theirs. */
export function endsWhen(signal: AbortSignal, end: () => number): void {
  ENDS.set(signal, end);
}

/** When `signal` aborts on its own (performance.now() ms): Infinity when it has no known deadline. */
export function endOf(signal: AbortSignal | undefined): number {
  const end = signal && ENDS.get(signal);
  return end ? end() : Infinity;
}
