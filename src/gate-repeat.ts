import { InputError } from './errors.js';
import type { StoredPlan } from './gate-types.js';
import type { WriteRecord } from './journal.js';
import type { Store } from './store.js';
import { buildResult } from './write-result.js';

/**
 * Two previews of one write give two tokens. A token acts only if every other confirmed write with its arguments
 * (and, for resend_unknown, the writes it resends) was confirmed before its preview, which then said so; the ids
 * it saw are stored with the plan (`noted`), so the rule holds whatever the clocks of the instances say.
 */
export class RepeatGuard {
  private readonly deciding = new Map<string, Promise<void>>();

  constructor(private readonly store: Store, private readonly owner: string, private readonly sleep: (ms: number) => Promise<void>) {}

  /** Confirmed writes under any of `hashes`, the latest confirmation first. */
  async confirmed(hashes: readonly string[]): Promise<WriteRecord[]> {
    const all = (await Promise.all(hashes.map((h) => this.store.findWrites(h)))).flat();
    const once = [...new Map(all.filter((r) => r.confirmed_at).map((r) => [r.id, r])).values()];
    return once.sort((a, b) => (a.confirmed_at! < b.confirmed_at! ? 1 : a.confirmed_at! > b.confirmed_at! ? -1 : 0));
  }

  /** Refuse `rec`'s token when a write under `hashes` was confirmed that its preview did not note. */
  async refuseUnseen(rec: WriteRecord, hashes: readonly string[]): Promise<void> {
    const noted = new Set((rec.plan as StoredPlan | undefined)?.noted ?? []);
    const unseen = (await this.confirmed(hashes)).find((r) => r.id !== rec.id && !noted.has(r.id));
    if (unseen) {
      throw new InputError(`${describeConfirmed(unseen)}, after this token's preview; nothing was written. Call again without confirm: that preview says so, and its token does it again`);
    }
  }

  /**
   * Run `decide` (check, then consume) for one set of arguments at a time, across calls in this process and, through
   * a lease in the store, across processes and instances: two tokens confirmed at once cannot both pass the check.
   */
  async exclusive<T>(hash: string, decide: () => Promise<T>): Promise<T> {
    const key = `args:${hash}`;
    const before = this.deciding.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    const chain = before.then(() => mine);
    this.deciding.set(key, chain);
    await before;
    try {
      const until = performance.now() + 10_000;
      while (!(await this.store.acquireLease(key, this.owner, 10_000))) {
        if (performance.now() > until) throw new InputError('another confirmation of these exact arguments is still being decided (in another process); nothing was written. Try again in a moment');
        await this.sleep(20);
      }
      try {
        return await decide();
      } finally {
        await this.store.releaseLease(key, this.owner).catch(() => undefined);
      }
    } finally {
      done();
      if (this.deciding.get(key) === chain) this.deciding.delete(key);
    }
  }
}

/** One confirmed write in words: its tool, when, its id and outcome. */
export function describeConfirmed(r: WriteRecord): string {
  const plan = r.plan as StoredPlan | undefined;
  const { status } = buildResult(r, { recipients: plan?.recipients, batchSize: plan?.batch_size, replayed: false, resumed: false });
  return `the same ${r.tool} with these exact arguments was confirmed at ${r.confirmed_at} (write ${r.id}, ${status})`;
}
