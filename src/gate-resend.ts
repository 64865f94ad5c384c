import { InputError } from './errors.js';
import type { StoredPlan } from './gate-types.js';
import { lettersOf } from './part-letters.js';
import type { RecipientSource } from './recipients.js';
import type { Store } from './store.js';

/**
 * resend_unknown: exactly the recipients of the latest such write's unknown batches. `hashes`: the resend's own
 * arguments' and the resent write's. The latest confirmed send under either decides, a resend included: once a resend
 * or a newer full send has reached them, an older write's unknown batches are not offered again (that would send
 * them twice). A send still running (`running` here, or its lease held elsewhere) has batches on the wire, not unknown.
 */
export async function unknownOf(store: Store, hashes: readonly string[], batchSize: number, running: (id: string) => boolean, owner: string): Promise<RecipientSource> {
  const confirmed = (await Promise.all(hashes.map((h) => store.findWrites(h)))).flat()
    .filter((r) => r.confirmed_at && (r.plan as StoredPlan | undefined)?.source)
    .sort((a, b) => later(b.confirmed_at!, a.confirmed_at!) || later(b.created_at, a.created_at));
  const rec = confirmed[0];
  if (rec && (running(rec.id) || !(await leaseFree(store, owner, rec.id)))) {
    throw new InputError('the latest confirmed send with these exact arguments is still running; nothing to resend yet. Call again once it has finished');
  }
  // Once nobody runs it, a batch sent without an answer is unknown, however this view last read it.
  const unknown = rec ? rec.parts.flatMap((p, i) => (p.state === 'unknown' || p.state === 'attempted' ? [i] : [])) : [];
  if (!rec || !unknown.length) {
    throw new InputError(rec
      ? 'the latest confirmed send with these exact arguments (or resend of them) has no batch of unknown outcome; nothing to resend'
      : 'no earlier confirmed send with these exact arguments has batches of unknown outcome; nothing to resend');
  }
  const plan = rec.plan as StoredPlan;
  // A batch of mixed recipients resends only its unknown ones.
  const letters = Object.fromEntries(unknown.flatMap((i) => (rec.parts[i]!.each ? [[i, lettersOf(rec.parts[i]!, 0)]] : [])));
  return {
    kind: 'resend', of: plan.source!, batch_size: plan.batch_size ?? batchSize, parts: unknown, ...(Object.keys(letters).length && { letters }),
    ...(plan.digests && { digests: plan.digests }),
  };
}

/** Whether no run holds the write's lease (taken and given back at once under an owner no run uses). */
async function leaseFree(store: Store, owner: string, id: string): Promise<boolean> {
  const probe = `${owner}:probe`;
  if (!(await store.acquireLease(id, probe, 1_000))) return false;
  await store.releaseLease(id, probe);
  return true;
}

/** Order of two ISO timestamps: positive when `a` is later. */
function later(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
