import type { Outcome, PartState } from './errors.js';

/**
 * Where each recipient of a part of several requests stands (a MoEngage Inform part sends one request a user), one
 * letter a recipient in batch order: `s` accepted, `f` refused, `u` unknown, `r` refused before the vendor acted (a
 * revoked key, a rate limit: counted failed, as a whole part so refused is), `p` never sent (halted before its turn:
 * counted pending); the same token sends `r` and `p` again, never the others. `a`: sent with no answer recorded yet
 * (read back as unknown).
 * A part whose recipients all stand alike carries no letters: its state says it.
 */
export type Letters = string;

interface LetteredPart {
  state: PartState | 'attempted';
  not_acted?: boolean;
  each?: Letters;
}

/** The letter a whole part's outcome gives each of its recipients. */
export function letterOf(o: { state: Outcome; not_acted?: boolean }): 's' | 'f' | 'u' | 'r' {
  return o.state === 'succeeded' ? 's' : o.state === 'unknown' ? 'u' : o.not_acted ? 'r' : 'f';
}

/** Letters the same token sends again. */
export const UNSENT = /[pr]/;

/** A part's recipients as settled letters (`a` reads as unknown), `size` of them. */
export function lettersOf(p: LetteredPart, size: number): Letters {
  if (p.each) return p.each.replace(/a/g, 'u');
  const one = p.state === 'pending' ? 'p' : p.state === 'attempted' || p.state === 'unknown' ? 'u' : p.state === 'succeeded' ? 's' : 'f';
  return one.repeat(size);
}

/** True when some recipients of the part were never acted on: the same token sends them (and only them). */
export function hasUnsent(p: LetteredPart): boolean {
  return p.state === 'pending' || (p.state === 'failed' && p.not_acted === true) || (p.each !== undefined && UNSENT.test(p.each));
}

/** How a batch of mixed recipients is reported: unknown first (check in the vendor), then not sent, then refused. */
export function stateOfLetters(each: Letters): PartState {
  if (/[ua]/.test(each)) return 'unknown';
  if (each.includes('p')) return 'pending';
  if (/[fr]/.test(each)) return 'failed';
  return 'succeeded';
}

/**
 * A part's outcome from its recipients' letters: one state when they all stand alike (no letters kept), else the
 * letters with the journal's state for them (unknown if any is unknown, else failed).
 */
export function settleLetters(each: Letters): { state: Outcome; not_acted?: boolean; each?: Letters } {
  if (/^s+$/.test(each)) return { state: 'succeeded' };
  if (/^p+$/.test(each) || /^r+$/.test(each)) return { state: 'failed', not_acted: true };
  if (/^u+$/.test(each)) return { state: 'unknown' };
  if (/^f+$/.test(each)) return { state: 'failed' };
  return { state: /[ua]/.test(each) ? 'unknown' : 'failed', each };
}

/** `prev` with its recipients to send again replaced, in order, by what this run's sub-part (those only) got. */
export function mergeLetters(prev: Letters, sent: { state: Outcome; not_acted?: boolean; each?: Letters }): Letters {
  const count = (prev.match(/[pr]/g) ?? []).length;
  const got = sent.each ?? letterOf(sent).repeat(count);
  let k = 0;
  return prev.replace(/[pr]/g, () => got[k++] ?? 'u');
}

/** A batch of mixed recipients in words: how many stand where, and what the same token will do. */
export function describeLetters(each: Letters): string {
  const n = (re: RegExp) => (each.match(re) ?? []).length;
  const [s, u, f, r, p] = [n(/s/g), n(/[ua]/g), n(/f/g), n(/r/g), n(/p/g)];
  return [
    `${s} of ${each.length} accepted`, u && `${u} unknown`, f && `${f} refused`,
    r && `${r} refused before the vendor acted (the same token sends them again)`, p && `${p} not sent yet (the same token sends them)`,
  ].filter(Boolean).join(', ');
}
