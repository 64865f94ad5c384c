import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CampaignSummarySchema, ChannelSchema, DaySchema, StatusSchema, TEXT_LIMITS, VendorIdSchema, clipSummary, clipText, compareNewestFirst,
  type CampaignSummary, type VendorId,
} from './domain.js';
import { MAX_MISSING_ACCOUNTS, processCursors, type CursorPayload } from './cursor.js';
import { deadlineSignal, joinSignals } from './deadline.js';
import { AllFailedError, InputError, describeError } from './errors.js';
import { limitsOf } from './limits.js';
import { sharedList, summaryBytes } from './list-share.js';
import type { ListQuery } from './vendors/vendor.js';
import { accountField, sandboxField, type ToolContext } from './tool.js';

const SNAPSHOT_TTL_MS = 5 * 60_000;

/** Filters shared by list_campaigns and search_campaigns. */
export const listFilters = {
  vendor: VendorIdSchema.optional().describe('one vendor; omit to query every configured vendor at once'),
  account: accountField,
  from: DaySchema.optional().describe('first day (YYYY-MM-DD) of the scheduled/created date range, inclusive'),
  to: DaySchema.optional().describe('last day (YYYY-MM-DD), inclusive; CleverTap defaults to the last 30 days and the next 30'),
  status: StatusSchema.optional().describe('normalized status'),
  channel: ChannelSchema.optional().describe('normalized channel'),
  limit: z.number().int().min(1).max(100).optional().describe('campaigns per page, default 25'),
  cursor: z.string().min(1).optional().describe('next_cursor from the previous page, with the same filters'),
};

/** The listing result shape shared by list_campaigns and search_campaigns. */
export const listOutput = {
  campaigns: z.array(CampaignSummarySchema),
  next_cursor: z.string().optional().describe('pass as cursor to get the next page'),
  total: z.number().describe('campaigns matching across all vendors queried'),
  errors: z.array(z.object({ vendor: VendorIdSchema, account: z.string().optional(), message: z.string() })).optional()
    .describe('vendors that failed; their campaigns are missing from the result'),
  warnings: z.array(z.object({ vendor: VendorIdSchema, account: z.string().optional(), message: z.string() })).optional()
    .describe('what an account could not tell (a secondary endpoint failed): its campaigns are listed, some fields unknown'),
  coverage: z.array(z.object({ vendor: VendorIdSchema, account: z.string().optional(), from: z.string(), to: z.string() })).optional()
    .describe('date range actually listed, for vendors that can only list by dates'),
  ...sandboxField,
};

type ListOutput = z.infer<z.ZodObject<typeof listOutput>>;
type Snapshot = Omit<ListOutput, 'campaigns' | 'next_cursor' | 'total'> & { campaigns: CampaignSummary[] };

interface Filters extends ListQuery {
  vendor?: VendorId;
  account?: string;
}

/** Query every selected account concurrently, merge newest first, and return one page. */
export async function listAcross(ctx: ToolContext, filters: Filters, limit = 25, cursor: string | undefined, signal: AbortSignal): Promise<ListOutput> {
  if (filters.from && filters.to && filters.from > filters.to) throw new InputError(`from (${filters.from}) is after to (${filters.to})`);
  const key = hashFilters(filters);
  const cursors = ctx.cursors ?? processCursors;
  const position: CursorPayload = cursor ? openCursor(cursors.decode(cursor), key) : { k: key, s: '', o: 0 };
  let snapshotId = position.s;
  let offset = position.o;
  let snap = cursor ? (await ctx.store.getSnapshot(snapshotId)) as Snapshot | undefined : undefined;
  const relisted = cursor !== undefined && !snap;
  if (!snap) {
    // No snapshot (first page, or a cursor from another process, a restart, or older than the snapshots kept):
    // list again and continue after the last campaign the cursor's page showed, by sort key, never by offset
    // (campaigns added or gone since would shift an offset into repeats or gaps).
    if (cursor && !position.a) throw new InputError('this cursor has expired (listings are kept for 5 minutes, the 50 most recent): list again without cursor');
    snap = await fanOut(ctx, filters, signal);
    snapshotId = randomUUID().slice(0, 8);
    await ctx.store.putSnapshot(snapshotId, snap, SNAPSHOT_TTL_MS, summaryBytes(snap.campaigns));
    if (position.a) offset = firstAfter(snap.campaigns, position.a);
  }
  const page = snap.campaigns.slice(offset, offset + limit);
  const next = offset + limit;
  const last = page[page.length - 1];
  const missing = (snap.errors ?? []).map(accountKey).slice(0, MAX_MISSING_ACCOUNTS);
  const warnings = [...(snap.warnings ?? []), ...(relisted && position.m ? answeredSince(snap, position.m, offset, position.a?.[0] ?? '') : [])];
  return {
    campaigns: page,
    ...(next < snap.campaigns.length && last ? { next_cursor: cursors.encode({ k: key, s: snapshotId, o: next, a: sortKey(last), ...(missing.length && { m: missing }) }) } : {}),
    total: snap.campaigns.length,
    ...(snap.errors?.length ? { errors: snap.errors } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(snap.coverage?.length ? { coverage: snap.coverage } : {}),
  };
}

async function fanOut(ctx: ToolContext, f: Filters, signal: AbortSignal): Promise<Snapshot> {
  const targets = ctx.adapters.filter((a) => (!f.vendor || a.vendor === f.vendor) && (!f.account || a.account === f.account));
  if (targets.length === 0) {
    if (!f.vendor && !f.account) throw new InputError('no vendor is configured: set a vendor\'s credentials (see list_vendors and the README) or start with --sandbox.');
    const what = f.vendor ? `${f.vendor}${f.account ? ` account "${f.account}"` : ''}` : `account "${f.account}"`;
    throw new InputError(`${what} is not configured. Configured: ${describeConfigured(ctx)}. Set credentials or start with --sandbox.`);
  }
  const query: ListQuery = { from: f.from, to: f.to, status: f.status, channel: f.channel, query: f.query };
  // Answer a little before the call's deadline, with what answered; each account joins a shared fetch.
  const { deadlineMs, listCacheMs } = limitsOf(ctx);
  const soft = deadlineSignal(deadlineMs - Math.min(1_000, deadlineMs * 0.1));
  const started = performance.now();
  const late = new Set<number>();
  const settled = await Promise.allSettled(targets.map((a, i) => sharedList(a, query, joinSignals([signal, soft]), listCacheMs).catch((err: unknown) => {
    if (soft.aborted && err === soft.reason) late.add(i);
    throw err;
  })));
  const waited = ((performance.now() - started) / 1000).toFixed(1);
  const multi = (v: VendorId) => ctx.adapters.filter((a) => a.vendor === v).length > 1;
  const campaigns: CampaignSummary[] = [];
  const errors: NonNullable<Snapshot['errors']> = [];
  const coverage: NonNullable<Snapshot['coverage']> = [];
  const warnings: NonNullable<Snapshot['warnings']> = [];
  const clip = (m: string) => clipText(m, TEXT_LIMITS.message);
  settled.forEach((r, i) => {
    const a = targets[i]!;
    const account = multi(a.vendor) ? a.account : undefined;
    if (r.status === 'rejected') {
      if (signal.aborted) throw r.reason;
      const message = late.has(i)
        ? `Could not list campaigns on ${a.vendor}: no complete answer within the call's ${Number((deadlineMs / 1000).toFixed(1))} s deadline (waited ${waited} s), so it is missing here. Try again shortly, or narrow the request.`
        : describeError('list campaigns', r.reason);
      errors.push({ vendor: a.vendor, ...(account ? { account } : {}), message: clip(message) });
      return;
    }
    for (const c of r.value.campaigns) campaigns.push(clipSummary(account ? { ...c, account } : withoutAccount(c)));
    for (const message of r.value.warnings ?? []) warnings.push({ vendor: a.vendor, ...(account ? { account } : {}), message: clip(message) });
    if (r.value.range) coverage.push({ vendor: a.vendor, ...(account ? { account } : {}), ...r.value.range });
  });
  if (errors.length === targets.length) throw new AllFailedError(errors);
  campaigns.sort(compareNewestFirst);
  return { campaigns, errors, coverage, warnings };
}

function withoutAccount(c: CampaignSummary): CampaignSummary {
  if (c.account === undefined) return c;
  const { account: _drop, ...rest } = c;
  return rest;
}

function describeConfigured(ctx: ToolContext): string {
  return ctx.adapters.length ? ctx.adapters.map((a) => `${a.vendor}/${a.account}`).join(', ') : 'none';
}

function hashFilters(f: Filters): string {
  const canonical = JSON.stringify([f.vendor, f.account, f.from, f.to, f.status, f.channel, f.query?.toLowerCase()]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 10);
}

/** The snapshot, offset and last sort key of a verified cursor, when it was issued for the same filters. */
function openCursor(c: CursorPayload, key: string): CursorPayload {
  if (c.k !== key) throw new InputError('cursor belongs to a different query: repeat the same filters with it, or drop it');
  return c;
}

function accountKey(e: { vendor: string; account?: string }): string {
  return `${e.vendor}/${e.account ?? ''}`;
}

/**
 * On a re-listing for a cursor: the accounts the earlier pages missed that answer now, with campaigns that sort
 * before this page (newer than the last one shown). Those were on none of the pages, and paging on will not show them.
 */
function answeredSince(snap: Snapshot, missed: readonly string[], offset: number, shownUntil: string): NonNullable<Snapshot['warnings']> {
  const still = new Set((snap.errors ?? []).map(accountKey));
  const skipped = new Map<string, number>();
  for (const c of snap.campaigns.slice(0, offset)) skipped.set(accountKey(c), (skipped.get(accountKey(c)) ?? 0) + 1);
  const out: NonNullable<Snapshot['warnings']> = [];
  for (const k of missed) {
    const n = skipped.get(k);
    if (still.has(k) || !n) continue;
    const slash = k.indexOf('/');
    const vendor = VendorIdSchema.safeParse(k.slice(0, slash));
    const account = k.slice(slash + 1);
    if (!vendor.success) continue;
    out.push({
      vendor: vendor.data, ...(account && { account }),
      message: clipText(`was missing from the earlier pages and answers now: ${n} of its campaigns, dated after ${shownUntil || 'the last one shown'}, are on none of the pages shown, and paging on will not show them; list again without cursor to see them`, TEXT_LIMITS.message),
    });
  }
  return out;
}

/** Where a campaign sorts (compareNewestFirst): its instant, vendor, account and id. */
function sortKey(c: CampaignSummary): [string, string, string, string] {
  return [c.scheduled_at ?? c.created_at ?? '', c.vendor, c.account ?? '', c.id];
}

/** Index of the first campaign that sorts after `key`: the page after the one whose last campaign it was. */
function firstAfter(campaigns: readonly CampaignSummary[], [at, vendor, account, id]: [string, string, string, string]): number {
  const shown = { vendor, id, name: '', status: 'unknown', channel: 'other', ...(account && { account }), ...(at && { scheduled_at: at }) } as CampaignSummary;
  const i = campaigns.findIndex((c) => compareNewestFirst(shown, c) < 0);
  return i < 0 ? campaigns.length : i;
}

/** One compact line per campaign: the model pays for every token. */
export function renderCampaignLine(c: CampaignSummary): string {
  // To the minute, as it is kept: zero seconds cost a token a line and say nothing.
  const when = (c.scheduled_at ?? c.created_at)?.replace(/(T\d{2}:\d{2}):00(?=Z|[+-]\d{2}:\d{2}$)/, '$1');
  const acct = c.account ? `/${c.account}` : '';
  const word = c.vendor_status && c.vendor_status.toLowerCase() !== c.status ? ` (${c.vendor_status})` : '';
  return `${c.vendor}${acct} ${c.id} "${c.name}" ${c.status}${word} ${c.channel}${when ? ` ${when}` : ''}`;
}

/** Header, lines, and what is missing or continues. */
export function renderListing(out: ListOutput, what = 'campaigns'): string {
  const lines = [`${out.campaigns.length} of ${out.total} ${what}, newest first.`];
  for (const c of out.campaigns) lines.push(renderCampaignLine(c));
  for (const c of out.coverage ?? []) lines.push(`${c.vendor}${c.account ? `/${c.account}` : ''} listed ${c.from}..${c.to} (pass from/to for other dates).`);
  for (const w of out.warnings ?? []) lines.push(`Note ${w.vendor}${w.account ? `/${w.account}` : ''}: ${w.message}`);
  for (const e of out.errors ?? []) lines.push(`Missing ${e.vendor}${e.account ? `/${e.account}` : ''}: ${e.message}`);
  if (out.next_cursor) lines.push(`More: cursor="${out.next_cursor}"`);
  return lines.join('\n');
}
