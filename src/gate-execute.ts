import { setMaxListeners } from 'node:events';
import type { WriteRecord } from './journal.js';
import { batchDigest, batches, verifySource } from './recipients.js';
import { InputError } from './errors.js';
import type { Store } from './store.js';
import type { PartControl, PartOutcome, PlanPart, SendInput, VendorWriter } from './vendors/vendor.js';
import { UNSENT, describeLetters, mergeLetters, settleLetters } from './part-letters.js';
import type { GateCall, StoredPlan } from './gate-types.js';

/** What running a confirmed write's parts needs of the gate. */
export interface GateDeps {
  store: Store;
  now: () => Date;
  /** Parts in flight at once. */
  concurrency: number;
  /** No part starts after this long (the call's deadline, less a margin). */
  budgetMs: number;
}

/**
 * Send the parts in `todo`. A part is sent only once its attempt is journaled: when the store fails, no
 * further part starts, and the journal error comes back (with `rec.parts` updated as far as this run knows).
 */
export async function executeParts(deps: GateDeps, rec: WriteRecord, plan: StoredPlan, writer: VendorWriter, todo: Set<number>, call: GateCall, signal?: AbortSignal): Promise<Error | undefined> {
  if (plan.source) await verifySource(plan.source);
  let stopped = false;
  let lost: Error | undefined;
  let done = rec.parts.length - todo.size;
  const stopAt = deps.now().getTime() + deps.budgetMs;
  // Stops every part still waiting its turn in the HTTP client (pace, concurrency cap) once one is refused for all
  // or the store is lost; a request already on the wire runs to its answer (cut, its outcome would be unknown).
  const halt = new AbortController();
  // Every request of every part in flight waits on it (a MoEngage Inform part has 8 at once): not a leak.
  setMaxListeners(0, halt.signal);
  const stop = () => {
    stopped = true;
    halt.abort();
  };
  /** `prev`: the letters of a part resumed for its recipients not sent (`part` then carries only those). */
  const one = async (index: number, part: PlanPart, prev?: string) => {
    if (stopped || signal?.aborted) return;
    // The attempt is journaled just before the part's first request goes out, not when it starts waiting for its turn.
    // One journal write per part, however many of its requests ask at once (a MoEngage Inform part sends several,
    // each waiting on it): a second write would be refused by a shared store as "already attempted".
    let attempted = false;
    let journaled: Promise<void> | undefined;
    const sending = prev?.replace(/[pr]/g, 'a');
    const attempt = () => (journaled ??= deps.store.recordAttempt(rec.id, index, deps.now().toISOString(), sending).then(
      () => {
        attempted = true;
      },
      (err: unknown) => {
        lost ??= err as Error;
        stop();
        throw err;
      },
    ));
    const control: PartControl = { halt: halt.signal, onSend: attempt };
    const out = await writer.execute(part, control).catch((err: unknown) => ({ state: 'unknown' as const, message: `campaign-mcp failed while sending: ${(err as Error).message}` }));
    if (!attempted) {
      // Halted (or the store lost) before anything went out: the part stays pending, and the same token sends it.
      if (halt.signal.aborted && out.state === 'failed' && (out as PartOutcome).not_acted) return;
      // A writer that answered without sending (MoEngage's creation quota used up): journaled like any outcome.
      try {
        await attempt();
      } catch {
        return;
      }
    }
    const { fatal, ...got } = out as PartOutcome;
    // At once, before journaling the outcome: parts queued behind this one must see the halt before their turn.
    if (fatal) stop();
    const kept = settle(got, prev);
    try {
      await deps.store.recordOutcome(rec.id, index, { t: 'outcome', at: deps.now().toISOString(), id: rec.id, part: index, ...kept });
      rec.parts[index] = { state: kept.state, ...(kept.message ? { message: kept.message } : {}), ...(kept.not_acted && { not_acted: true }), ...(kept.each && { each: kept.each }) };
    } catch (err) {
      lost ??= err as Error;
      stop();
      rec.parts[index] = { state: 'unknown', message: `the vendor answered ${kept.state}, but the journal could not record it`, ...(sending && { each: sending.replace(/a/g, 'u') }) };
    }
    await call.progress?.(++done, rec.parts.length, `batch ${index + 1} of ${rec.parts.length}: ${out.state}`);
  };
  const pending: Array<Promise<void>> = [];
  const limit = Math.max(1, deps.concurrency);
  let refused: unknown;
  try {
    for await (const [index, part, prev] of parts(plan, writer, rec, todo)) {
      if (stopped || signal?.aborted || deps.now().getTime() > stopAt) break;
      const p = one(index, part, prev).finally(() => pending.splice(pending.indexOf(p), 1));
      pending.push(p);
      if (pending.length >= limit) await Promise.race(pending);
    }
  } catch (err) {
    // A batch that cannot be rebuilt as previewed (its file changed mid-send): nothing more starts, and the parts
    // already on the wire run to their answers (journaled) before the refusal is reported.
    refused = err;
    stop();
  }
  await Promise.all(pending);
  if (refused) throw refused;
  return lost;
}

/**
 * The parts in `todo`, in order: stored for a create or status change, rebuilt batch by batch for a send. A batch
 * some of whose recipients were sent comes with its letters, holding only the recipients not sent.
 */
async function* parts(plan: StoredPlan, writer: VendorWriter, rec: WriteRecord, todo: Set<number>): AsyncGenerator<[number, PlanPart, string?]> {
  if (plan.op.kind !== 'send' || !plan.source) {
    for (const [i, p] of plan.parts.entries()) if (todo.has(i)) yield [i, p];
    return;
  }
  const input: SendInput = plan.op.input;
  const source = plan.source;
  const changed = (what: string) => new InputError(
    `the recipients (${source.kind === 'inline' ? 'recipients.ids' : 'recipients_file'}) changed while this send ran: ${what}, so it and the batches after it were not sent. `
    + 'The batches already sent are journaled; preview the recipients as they are now for the rest',
  );
  let i = 0;
  for await (const ids of batches(source, input.id_type, plan.batch_size!)) {
    // Each batch is rebuilt from the source as it reads now: it must hold exactly the recipients previewed.
    if (plan.digests && plan.digests[i] !== batchDigest(ids)) throw changed(`batch ${i} no longer holds the recipients previewed`);
    const prev = rec.parts[i]?.each;
    if (todo.has(i)) yield prev ? [i, writer.sendPart(input, ids.filter((_, j) => UNSENT.test(prev[j]!)), i, `${rec.id}.${i}`), prev] : [i, writer.sendPart(input, ids, i, `${rec.id}.${i}`)];
    i++;
  }
  if (plan.digests && i < plan.digests.length && [...todo].some((t) => t >= i)) throw changed(`it ends after batch ${i - 1}, not batch ${plan.digests.length - 1}`);
}

/**
 * A part's outcome as journaled: for a resumed part, its earlier letters with this run's answers merged in, and
 * its count and words for the whole batch (this run's problem kept), not only for the recipients this run sent.
 */
function settle(got: Omit<PartOutcome, 'fatal'>, prev?: string): Omit<PartOutcome, 'fatal'> {
  if (!prev) return got;
  const each = mergeLetters(prev, got);
  const { each: _, not_acted: __, state: ___, accepted: ____, message, ...rest } = got;
  const problem = message?.match(/; first problem: (.*)$/s)?.[1] ?? (got.state === 'succeeded' ? undefined : message);
  const settled = settleLetters(each);
  return {
    ...rest, ...settled, accepted: (each.match(/s/g) ?? []).length,
    ...(settled.state !== 'succeeded' && { message: `${describeLetters(each)}${problem ? `; first problem: ${problem}` : ''}` }),
  };
}
