import type { WriteRecord } from './journal.js';
import type { PartState } from './errors.js';
import type { WritePreview } from './vendors/vendor.js';
import { lettersOf, stateOfLetters } from './part-letters.js';
import { refusedAsSent } from './vendors/write-outcome.js';

/** A batch as reported: `index` from 0, `recipients` it holds. */
export interface BatchReport {
  index: number;
  recipients: number;
  state: PartState;
  message?: string;
}

/** What a write tool returns in structuredContent (DESIGN "Write results"). */
export type WriteResult = WritePreviewResult | WriteOutcomeResult;

export interface WritePreviewResult { status: 'confirmation_required'; confirm: string; expires_at: string; preview: WritePreview }

export type WriteOutcomeResult = {
      status: 'succeeded' | 'failed' | 'unknown' | 'partial';
      /** The person was asked and did not approve: nothing was written (status failed). */
      approval?: 'declined' | 'cancelled';
      write_id: string;
      vendor_ref?: string;
      batches?: BatchReport[];
      counts: { recipients: number; succeeded: number; failed: number; unknown: number; pending: number };
      replayed?: boolean;
      resumed?: boolean;
      message?: string;
    };

const LETTER_COUNT = { s: 'succeeded', f: 'failed', r: 'failed', u: 'unknown', p: 'pending' } as const;

/** Batches listed one by one up to this many; beyond it only those not succeeded are listed. */
const LIST_ALL_BATCHES = 20;
const LIST_MAX_BATCHES = 50;

/** The recorded outcome of a write, in recipients (a create or status change counts its parts). */
export function buildResult(rec: WriteRecord, o: { recipients?: number; batchSize?: number; replayed: boolean; resumed: boolean }): WriteOutcomeResult {
  const size = (i: number) => (o.recipients !== undefined && o.batchSize ? Math.min(o.batchSize, o.recipients - i * o.batchSize) : 1);
  const counts = { recipients: 0, succeeded: 0, failed: 0, unknown: 0, pending: 0 };
  const all: BatchReport[] = rec.parts.map((p, index) => {
    const n = size(index);
    counts.recipients += n;
    if (!p.each) {
      const state: PartState = p.state === 'attempted' ? 'unknown' : p.state;
      // Accepted for fewer than it held (Altcraft's start_batch lists the profiles it reached; ids matching no profile
      // were not sent): those count failed, not succeeded. Which ones the answer does not say, so the batch is settled.
      const short = state === 'succeeded' && p.accepted !== undefined && p.accepted < n ? n - p.accepted : 0;
      counts[state] += n - short;
      counts.failed += short;
      // Refused before the vendor acted: counted failed, and the same token sends it again (DESIGN, the write gate), which
      // helps only when the cause lies outside the bound arguments: the advice says which.
      // A batch of single sends (MoEngage Inform) already says "(the same token sends them again)" of its refused
      // recipients: true, but where the vendor refused the request as sent, the advice after it says that would only be
      // refused again. One batch line must not say both.
      const said = refusedAsSent(p.message) ? p.message?.replace(' (the same token sends them again)', '') : p.message;
      const message = state === 'failed' && p.not_acted ? `${said ?? 'refused'}; ${notActedAdvice(p.message)}` : p.message;
      return { index, recipients: n, state, ...(message ? { message } : {}) };
    }
    // A batch of mixed recipients (one request each) counts each recipient where it stands.
    const letters = lettersOf(p, n);
    for (const l of letters) counts[LETTER_COUNT[l as keyof typeof LETTER_COUNT] ?? 'unknown'] += 1;
    return { index, recipients: n, state: stateOfLetters(letters), ...(p.message ? { message: p.message } : {}) };
  });
  // DESIGN "Write results": failed when none was accepted and none is unknown; unknown when none is confirmed and some are.
  const status = counts.succeeded === counts.recipients ? 'succeeded'
    : counts.succeeded === 0 && counts.unknown === 0 ? 'failed'
    : counts.succeeded === 0 ? 'unknown'
    : 'partial';
  const listed = all.length <= LIST_ALL_BATCHES ? all : all.filter((b) => b.state !== 'succeeded').slice(0, LIST_MAX_BATCHES);
  const ref = rec.parts.find((p) => p.vendor_ref)?.vendor_ref;
  return {
    status, write_id: rec.id, ...(ref ? { vendor_ref: ref } : {}), batches: listed, counts,
    ...(o.replayed ? { replayed: true } : {}), ...(o.resumed ? { resumed: true } : {}),
  };
}

/**
 * What to do about a part the vendor refused without acting on it. The token binds the exact arguments (content,
 * name, audience, ...): when the vendor refused the request as sent, the same token would only be refused again.
 */
export function notActedAdvice(message: string | undefined): string {
  return refusedAsSent(message)
    ? 'the vendor refused the request as sent and did not act on it. The confirm token binds these exact arguments, so the same token would be refused again: '
      + 'change what was refused (content, name, audience, schedule...) and call without confirm for a new preview and token'
    : 'the vendor did not act on it, and the cause lies outside the arguments (credentials, the account\'s rights or plan, a rate limit, the connection): '
      + 'once that is fixed, the same token sends it again';
}

/** One line a person can judge a write by. */
export function describePreview(p: WritePreview): string {
  const bits = [`${p.operation} on ${p.vendor}/${p.account}`];
  if (p.channel) bits.push(`channel ${p.channel}`);
  if (p.audience) bits.push(`audience: ${p.audience}`);
  if (p.estimated_reach !== undefined) bits.push(`estimated reach ${p.estimated_reach}`);
  if (p.counts) bits.push(`${p.counts.recipients} recipients in ${p.counts.batches} batch${p.counts.batches === 1 ? '' : 'es'}${p.counts.duplicates_removed ? ` (${p.counts.duplicates_removed} duplicates removed)` : ''}`);
  if (p.content) bits.push(`content: "${p.content}"`);
  if (p.schedule) bits.push(p.schedule === 'now' ? 'sends now' : `at ${p.schedule.local} ${p.schedule.timezone} (${p.schedule.utc})`);
  return bits.join('; ');
}

/** The text block of a write result: plain about what was and was not sent. `tool` words the advice for what it can do. */
export function renderWrite(r: WriteResult, tool?: string): string {
  if (r.status === 'confirmation_required') {
    const notes = r.preview.notes?.length ? `\nNotes: ${r.preview.notes.join(' ')}` : '';
    return `Nothing was sent yet. Preview: ${describePreview(r.preview)}.${notes}\nTo do it, call again with the same arguments and confirm="${r.confirm}" (valid until ${r.expires_at}).`;
  }
  const c = r.counts;
  const head = r.message ?? `${r.status.toUpperCase()}${r.replayed ? ' (recorded outcome, nothing sent again)' : ''}${r.resumed ? ' (resumed)' : ''}: ${c.succeeded} of ${c.recipients} accepted, ${c.failed} failed, ${c.unknown} unknown, ${c.pending} not sent.`;
  const lines = [head + (r.vendor_ref ? ` Vendor ref: ${r.vendor_ref}.` : '')];
  for (const b of r.batches ?? []) if (b.state !== 'succeeded') lines.push(`batch ${b.index} (${b.recipients}): ${b.state}${b.message ? ` — ${b.message}` : ''}`);
  // Only send_to_users takes resend_unknown: a create or a status change of unknown outcome is checked in the vendor
  // (it may exist or have changed already), and done again only through a new preview.
  if (c.unknown) {
    lines.push(tool === undefined || tool === 'send_to_users'
      ? 'Unknown batches may have been delivered: check in the vendor. They are never resent with this token; resend_unknown: true previews a new send of exactly those recipients.'
      : `The vendor may have acted on it: check in the vendor (${tool === 'create_campaign' ? 'list_campaigns or search_campaigns by name' : 'get_campaign'}) before doing it again. It is never repeated with this token; to do it again, call ${tool} without confirm for a new preview.`);
  }
  if (c.pending) lines.push('Batches not sent can be sent by calling again with the same arguments and the same confirm token.');
  return lines.join('\n');
}
