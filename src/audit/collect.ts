import { setMaxListeners } from 'node:events';
import { realClock, type Clock } from '../clock.js';
import { mapLimit } from '../concurrency.js';
import { deadlineSignal, joinSignals } from '../deadline.js';
import type { Status, VendorId } from '../domain.js';
import { AllFailedError, InputError, RateWindowHeld, describeError } from '../errors.js';
import { limitsOf } from '../limits.js';
import type { ToolContext } from '../tool.js';
import type { VendorAdapter } from '../vendors/vendor.js';
import type { AuditItem, Check } from './types.js';

/** Detail and report reads in flight per account; the HTTP client paces each vendor further (its documented limits). */
export const READS_PER_ACCOUNT = 3;
/**
 * Spacing of read starts per account, where the adapter does not pace itself: Batch publishes no rate
 * ([U], notes §3) and answers 429 with a 5 s wait; the sandbox's placeholder is 10/s: 6.7/s here leaves room for jitter and a burst after a wait.
 */
export const READ_INTERVAL_MS: Partial<Record<VendorId, number>> = { batch: 150 };
/** Detail reads stop this long before the call's deadline (at most a fifth of it), leaving time to answer. */
export const READ_MARGIN_MS = 5_000;
/** Listings stop this long before the deadline (at most a tenth of it): what was listed still gets its listing-only checks. */
export const LIST_MARGIN_MS = 1_000;
/**
 * Read windows long enough to hold reads past a call's deadline: MoEngage search/meta allow 100 requests a
 * minute per workspace (notes §2 Common, rate-limits.mdx). The other vendors' windows are a second or shorter.
 */
export const READ_WINDOWS: Partial<Record<VendorId, string>> = { moengage: '100 requests a minute' };
/**
 * Reads of an account that got no answer for this share of the read time before the deadline, with reads still
 * waiting, were held back (by the vendor's window, where it has one) rather than merely slow.
 */
export const STALL_SHARE = 0.25;
/** Date-windowed vendors (CleverTap) are listed this far back: running automations and stale schedules can be old. */
export const LOOKBACK_DAYS = 730;
/** ...and this far ahead, for scheduled campaigns. */
export const AHEAD_DAYS = 60;

export interface CollectInput {
  vendor?: VendorId;
  account?: string;
  statuses: readonly Status[];
  checks: readonly Check[];
}

export interface AccountTally {
  vendor: VendorId;
  account?: string;
  campaigns: number;
  detail_reads: number;
  report_reads: number;
  /** Reads that failed: those campaigns were audited from their listing entry only. */
  failed_reads?: number;
  /** Reads not made before the call's deadline: those campaigns were audited from their listing entry only. */
  unread?: number;
  /** Why `unread`: the deadline came first, or reads were held by the vendor's rate window until it came. */
  unread_reason?: UnreadReason;
  /** With `rate_window`, when the HTTP client said so: seconds until the window frees. */
  frees_in_s?: number;
  listed_range?: { from: string; to: string };
}

export type UnreadReason = 'deadline' | 'rate_window';

export interface Collected {
  items: AuditItem[];
  tally: AccountTally[];
  errors: Array<{ vendor: VendorId; account?: string; message: string }>;
  /** What an account's listing could not tell (it stopped at its page or time budget, ...): campaigns may be missing. */
  warnings: Array<{ vendor: VendorId; account?: string; message: string }>;
}

/** Progress callback: reads done, reads planned, what is happening. */
export type Progress = (done: number, total: number, message: string) => void;

const shiftDay = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** List every targeted account concurrently, then read detail/report where a selected check needs it. */
export async function collect(ctx: ToolContext, input: CollectInput, signal: AbortSignal, progress: Progress): Promise<Collected> {
  // Detail reads stop before the call's deadline, so the audit answers with what it read (a vendor paced at
  // 100 requests a minute cannot give several hundred campaigns in detail within one call) and says what it did not.
  const { deadlineMs } = limitsOf(ctx);
  // (The timeout is held here, not only by AbortSignal.any, which keeps its sources weakly on Node 20.)
  const readMs = Math.max(1, deadlineMs - Math.min(READ_MARGIN_MS, deadlineMs / 5));
  const soft = deadlineSignal(readMs);
  let softAt = Infinity;
  soft.addEventListener('abort', () => (softAt = performance.now()), { once: true });
  const reads = joinSignals([signal, soft]);
  // Every read queued behind a vendor's concurrency cap listens on it: many at once is the design, not a leak.
  setMaxListeners(0, reads);
  const targets = ctx.adapters.filter((a) => (!input.vendor || a.vendor === input.vendor) && (!input.account || a.account === input.account));
  if (!targets.length) {
    const configured = ctx.adapters.map((a) => `${a.vendor}/${a.account}`).join(', ') || 'none';
    throw new InputError(`nothing to audit: ${[input.vendor, input.account && `account "${input.account}"`].filter(Boolean).join(' ') || 'no vendor'} is not configured (configured: ${configured}).`);
  }
  const now = ctx.now();
  const multi = (a: VendorAdapter) => ctx.adapters.filter((x) => x.vendor === a.vendor).length > 1;
  // Listings stop just before the deadline (later than detail reads: checks on the listing alone still run): one
  // vendor's listing held past it is that vendor missing, not the whole audit lost.
  const listCut = deadlineSignal(Math.max(1, deadlineMs - Math.min(LIST_MARGIN_MS, deadlineMs / 10)));
  const lists = joinSignals([signal, listCut]);
  setMaxListeners(0, lists);
  const listed = await Promise.allSettled(targets.map((a) => a.listCampaigns(a.capabilities.date_windowed ? { from: shiftDay(now, -LOOKBACK_DAYS), to: shiftDay(now, AHEAD_DAYS) } : {}, lists)));
  const errors: Collected['errors'] = [];
  const warnings: Collected['warnings'] = [];
  const plans = targets.map((a, n) => {
    const r = listed[n]!;
    const account = multi(a) ? a.account : undefined;
    if (r.status === 'rejected') {
      if (signal.aborted) throw r.reason;
      const message = listCut.aborted && r.reason === listCut.reason
        ? `Could not list campaigns on ${a.vendor}: no complete listing within the call's ${Number((deadlineMs / 1000).toFixed(1))} s deadline, so its campaigns are not audited here. Try again shortly, or audit it alone.`
        : describeError('list campaigns', r.reason);
      errors.push({ vendor: a.vendor, ...(account ? { account } : {}), message });
      return undefined;
    }
    // A listing that stopped early still answers; what it could not tell is part of the audit's result, or
    // "Audited 14 campaigns" would read as all there are.
    for (const message of r.value.warnings ?? []) warnings.push({ vendor: a.vendor, ...(account ? { account } : {}), message });
    const entries: Entry[] = [];
    for (const summary of r.value.campaigns) {
      const inScope = input.statuses.includes(summary.status);
      const checks = input.checks.filter((c) => inScope || c.extraScope?.(summary, input.statuses));
      if (!checks.length) continue;
      entries.push({
        item: { summary, inScope, ...(account ? { account } : {}) },
        detail: checks.some((c) => c.vendors[a.vendor] && (typeof c.needsDetail === 'function' ? c.needsDetail(summary) : c.needsDetail)),
        report: checks.some((c) => c.needsReport?.(summary, input.statuses)),
      });
    }
    return { adapter: a, account, entries, range: r.value.range };
  });
  if (errors.length === targets.length) throw new AllFailedError(errors);
  const total = plans.reduce((n, p) => n + (p?.entries.filter((e) => e.detail || e.report).length ?? 0), 0);
  let done = 0;
  progress(0, total, `listed ${plans.reduce((n, p) => n + (p?.entries.length ?? 0), 0)} campaigns; reading ${total} in detail`);
  const tally = await Promise.all(plans.filter((p) => p !== undefined).map(async (p) => {
    const t: AccountTally = { vendor: p.adapter.vendor, ...(p.account ? { account: p.account } : {}), campaigns: p.entries.filter((e) => e.item.inScope).length, detail_reads: 0, report_reads: 0, ...(p.range ? { listed_range: p.range } : {}) };
    const space = spacer(READ_INTERVAL_MS[p.adapter.vendor] ?? 0, reads, ctx.clock ?? realClock);
    // The last answer before the deadline (or the start of the reads): a long silence before it means the reads were held.
    let answered = performance.now();
    // Reads the HTTP client says a used-up window held when the cut came, and when it frees (the latest).
    let heldMs: number | undefined;
    const cut = (item: AuditItem) => {
      item.missed = 'unread';
      t.unread = (t.unread ?? 0) + 1;
    };
    await mapLimit(p.entries, READS_PER_ACCOUNT, async ({ item, detail, report }) => {
      if (!detail && !report) return;
      if (soft.aborted || reads.aborted) {
        if (signal.aborted) throw signal.reason;
        cut(item);
        return;
      }
      try {
        if (detail) {
          await space();
          const day = p.adapter.capabilities.date_windowed ? item.summary.scheduled_at?.slice(0, 10) : undefined;
          item.detail = (await p.adapter.getCampaign(item.summary.id, day ? { from: day, to: day } : {}, reads)).campaign;
          if (!soft.aborted) answered = performance.now();
          t.detail_reads++;
        }
        if (report) {
          await space();
          item.report = await p.adapter.getReport(item.summary.id, reads);
          if (!soft.aborted) answered = performance.now();
          t.report_reads++;
        }
      } catch (err) {
        if (signal.aborted) throw err;
        // A held window is unread whether the cut came or the client knew at once that it would (src/deadline.ts).
        if (soft.aborted || err instanceof RateWindowHeld) {
          if (err instanceof RateWindowHeld) heldMs = Math.max(heldMs ?? 0, err.retryAfterMs ?? 0);
          cut(item);
        } else {
          item.missed = 'failed';
          t.failed_reads = (t.failed_reads ?? 0) + 1;
        }
      }
      progress(++done, total, `${p.adapter.vendor}: read ${item.summary.id}`);
    });
    // The client's own word first; without it (no read was waiting on the window when the cut came), a long silence.
    if (t.unread) t.unread_reason = heldMs !== undefined || (READ_WINDOWS[p.adapter.vendor] && softAt - answered >= readMs * STALL_SHARE) ? 'rate_window' : 'deadline';
    if (t.unread && heldMs) t.frees_in_s = Math.ceil(heldMs / 1000);
    return t;
  }));
  return { items: plans.flatMap((p) => p?.entries.map((e) => e.item) ?? []), tally, errors, warnings };
}

/** Resolves one caller every `ms` of `clock`'s time, in call order. */
function spacer(ms: number, signal: AbortSignal, clock: Clock): () => Promise<void> {
  let next = 0;
  return async () => {
    if (ms <= 0) return;
    const at = Math.max(clock.now(), next);
    next = at + ms;
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait, signal);
  };
}

interface Entry { item: AuditItem; detail: boolean; report: boolean }
