import type { WriteRecord } from './journal.js';
import { buildResult, type WriteOutcomeResult } from './write-result.js';

/** The result of a run the store failed under, from what this run knows: unsent batches pending, unrecorded ones unknown. */
export function storeLost(rec: WriteRecord, size: { recipients?: number; batchSize?: number }, err: Error, resumed: boolean): WriteOutcomeResult {
  const r = buildResult(rec, { ...size, replayed: false, resumed });
  const notSent = rec.parts.flatMap((p, i) => (p.state === 'pending' || p.each?.includes('p') ? [i] : []));
  return {
    ...r,
    message: `STOPPED: the journal could not be written (${err.message}), so no further batch was sent. `
      + `${r.counts.succeeded} of ${r.counts.recipients} accepted, ${r.counts.unknown} unknown, ${r.counts.pending} not sent (batches ${ranges(notSent)}). `
      + 'Once the store is back, the same token sends the batches not sent.',
  };
}

/** 0-3, 7, 9-12 */
function ranges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j;
  }
  return out.join(', ') || 'none';
}
