/** Median of a sample; benchmarks quote medians, never single runs. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Round for a table. */
export function r(x: number, digits = 1): string {
  return x.toFixed(digits);
}
