import type { CampaignSummary } from './domain.js';
import { endOf, endsWhen } from './deadline.js';
import { RateWindowHeld } from './errors.js';
import type { ListQuery, ListResult, VendorReader } from './vendors/vendor.js';

/** Finished listings kept per account, by count and estimated size, so the cache never holds much. */
const CACHE_MAX_ENTRIES = 8;
const CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** How long a stopped listing may take to say why it stopped (a rate window's release is a store round trip). */
const EXPLAIN_MS = 100;

interface Entry {
  promise: Promise<ListResult>;
  controller: AbortController;
  /** The callers still waiting: the fetch stops when none is left, and its deadline is the latest of theirs. */
  waiting: Set<AbortSignal>;
  done?: { at: number; bytes: number };
}

const byAdapter = new WeakMap<VendorReader, Map<string, Entry>>();

/** Estimated in-memory size of listed campaigns: their strings plus a fixed overhead each. */
export function summaryBytes(campaigns: readonly CampaignSummary[]): number {
  let n = 0;
  for (const c of campaigns) {
    n += 120 + c.id.length + c.name.length + (c.vendor_status?.length ?? 0) + (c.account?.length ?? 0);
    for (const t of c.tags ?? []) n += 8 + t.length;
  }
  return n * 2;
}

/**
 * One account's listing, shared: identical concurrent calls join one fetch, and a finished one is reused
 * for `cacheMs`. Each caller leaves on its own signal; the fetch is cancelled (its rate slots given
 * back) only when every caller has left. Failures are never reused.
 */
export function sharedList(adapter: VendorReader, query: ListQuery, signal: AbortSignal, cacheMs: number, now: () => number = performance.now.bind(performance), again = true): Promise<ListResult> {
  let entries = byAdapter.get(adapter);
  if (!entries) byAdapter.set(adapter, (entries = new Map()));
  const map = entries;
  const key = JSON.stringify([query.from, query.to, query.status, query.channel, query.query?.toLowerCase()]);
  let entry = map.get(key);
  if (entry?.done && now() - entry.done.at > cacheMs) {
    map.delete(key);
    entry = undefined;
  }
  if (!entry) {
    const controller = new AbortController();
    const waiting = new Set<AbortSignal>();
    endsWhen(controller.signal, () => (waiting.size ? Math.max(...[...waiting].map(endOf)) : Infinity));
    const fresh: Entry = { controller, waiting, promise: adapter.listCampaigns(query, controller.signal) };
    map.set(key, fresh);
    fresh.promise.then(
      (r) => {
        fresh.done = { at: now(), bytes: summaryBytes(r.campaigns) };
        prune(map, now, cacheMs);
      },
      () => {
        if (map.get(key) === fresh) map.delete(key);
      },
    );
    entry = fresh;
  }
  // A caller that joined after the fetch was refused for a rate window freeing after the deadlines then waiting,
  // but before that refusal arrived, may have time the others did not: it asks once more, alone, with its own.
  const retry = again ? () => sharedList(adapter, query, signal, cacheMs, now, false) : undefined;
  return join(map, key, entry, signal, retry);
}

/** A refusal for a rate window that frees before `signal`'s own deadline was decided for other callers' deadlines. */
function notMine(err: unknown, signal: AbortSignal): boolean {
  return err instanceof RateWindowHeld && err.retryAfterMs !== undefined && performance.now() + err.retryAfterMs < endOf(signal);
}

function join(map: Map<string, Entry>, key: string, entry: Entry, signal: AbortSignal, retry?: () => Promise<ListResult>): Promise<ListResult> {
  if (entry.done) return entry.promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  entry.waiting.add(signal);
  return new Promise<ListResult>((resolve, reject) => {
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      signal.removeEventListener('abort', onAbort);
      entry.waiting.delete(signal);
    };
    const onAbort = () => {
      leave();
      if (entry.waiting.size === 0 && !entry.done) {
        if (map.get(key) === entry) map.delete(key);
        entry.controller.abort(signal.reason);
        // The last one waiting stopped it: a listing a rate window held says so (and when it frees), if it
        // answers within EXPLAIN_MS of the abort; otherwise the caller's own reason.
        const timer = setTimeout(() => reject(signal.reason), EXPLAIN_MS);
        entry.promise.then(() => undefined, (e: unknown) => e).then((e) => {
          clearTimeout(timer);
          reject(e instanceof RateWindowHeld ? e : signal.reason);
        });
        return;
      }
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    entry.promise.then((r) => (leave(), resolve(r)), (e: unknown) => {
      leave();
      if (retry && !signal.aborted && notMine(e, signal)) resolve(Promise.resolve().then(retry));
      else reject(e);
    });
  });
}

/** Drop expired entries, then the oldest finished ones until count and size fit. */
function prune(map: Map<string, Entry>, now: () => number, cacheMs: number): void {
  let bytes = 0;
  const finished = [...map.entries()].filter(([, e]) => e.done);
  for (const [k, e] of finished) {
    if (now() - e.done!.at > cacheMs) map.delete(k);
    else bytes += e.done!.bytes;
  }
  let count = finished.filter(([k]) => map.has(k)).length;
  for (const [k, e] of finished) {
    if (!map.has(k)) continue;
    if (count <= CACHE_MAX_ENTRIES && bytes <= CACHE_MAX_BYTES) break;
    map.delete(k);
    count--;
    bytes -= e.done!.bytes;
  }
}
