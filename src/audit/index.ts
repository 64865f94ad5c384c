import { z } from 'zod';
import { StatusSchema, VENDORS, VendorIdSchema, type Status, type VendorId } from '../domain.js';
import type { ToolContext } from '../tool.js';
import { collect, type AccountTally, type Progress } from './collect.js';
import { emptyAudience, missingUtm } from './content.js';
import { duplicateName, overlappingAudience } from './overlap.js';
import { dndBypass, frequencyCapBypass, noControlGroup, noConversionGoal, throttleOutlier } from './settings.js';
import { longPaused, pastExpiry, staleSchedule } from './timing.js';
import { CHECK_IDS, FindingSchema, SEVERITIES, CheckIdSchema, type AuditItem, type Check, type CheckId, type Finding } from './types.js';

export { CHECK_IDS, CheckIdSchema, FindingSchema, type CheckId, type Finding } from './types.js';
export type { Progress } from './collect.js';

/** Every check, keyed by id. */
export const CHECKS: Readonly<Record<CheckId, Check>> = {
  empty_audience: emptyAudience, frequency_cap_bypass: frequencyCapBypass, dnd_bypass: dndBypass, stale_schedule: staleSchedule,
  past_expiry: pastExpiry, overlapping_audience: overlappingAudience, throttle_outlier: throttleOutlier, duplicate_name: duplicateName,
  no_control_group: noControlGroup, no_conversion_goal: noConversionGoal, missing_utm: missingUtm, long_paused: longPaused,
};

const UNREAD_REASONS = ['deadline', 'rate_window'] as const;

/** Audited unless the caller says otherwise. */
export const DEFAULT_STATUSES: readonly Status[] = ['running', 'scheduled'];
/** Findings listed per check unless the caller asks for more; the summary always counts all. */
export const DEFAULT_PER_CHECK = 8;

/** The audit's structured result (the tool's outputSchema). */
export const auditOutput = {
  findings: z.array(FindingSchema).describe('grouped by check, most urgent first; at most max_per_check per check'),
  summary: z.object({
    statuses: z.array(StatusSchema).describe('statuses audited (long_paused also reads paused campaigns)'),
    audited: z.array(z.object({
      vendor: VendorIdSchema, account: z.string().optional(), campaigns: z.number(), detail_reads: z.number(), report_reads: z.number(),
      failed_reads: z.number().optional(),
      unread: z.number().optional().describe('campaigns not read in detail before the deadline: audited from their listing only'),
      unread_reason: z.enum(UNREAD_REASONS).optional().describe("why: the call's deadline, or the vendor's rate window held the reads until it"),
      frees_in_s: z.number().optional().describe('with rate_window: seconds until the window frees, when the vendor client knows'),
      listed_range: z.object({ from: z.string(), to: z.string() }).optional(),
    })).describe('campaigns audited per account and the reads it took'),
    by_check: z.array(z.object({
      check: CheckIdSchema, severity: z.enum(SEVERITIES), findings: z.number(), shown: z.number(),
      not_seen: z.number().optional().describe('campaigns this check could not look at (see incomplete): its findings may be missing some'),
    })),
    by_severity: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
    not_checked: z.array(z.object({ check: CheckIdSchema, vendors: z.array(VendorIdSchema), reason: z.string() }))
      .describe('checks a vendor could not get, and why'),
    errors: z.array(z.object({ vendor: VendorIdSchema, account: z.string().optional(), message: z.string() })).optional()
      .describe('accounts that could not be listed: not audited'),
    warnings: z.array(z.object({ vendor: VendorIdSchema, account: z.string().optional(), message: z.string() })).optional()
      .describe('what an account\'s listing could not tell (it stopped early, ...): campaigns it did not list were not audited'),
    incomplete: z.array(z.object({
      check: CheckIdSchema, vendor: VendorIdSchema, account: z.string().optional(),
      campaigns: z.number().describe('campaigns the check needed to read in detail and could not'),
      reason: z.enum([...UNREAD_REASONS, 'read_failed']),
    })).optional().describe('checks that did not see every campaign they should have, per account, and why: not a clean result'),
  }),
};
export type AuditResult = z.infer<z.ZodObject<typeof auditOutput>>;

export interface AuditInput {
  vendor?: VendorId;
  account?: string;
  checks?: CheckId[];
  status?: Status[];
  max_per_check?: number;
}

/** Run the selected checks over every targeted account; pure checks over what `collect` read. */
export async function runAudit(ctx: ToolContext, input: AuditInput, signal: AbortSignal, progress: Progress = () => {}): Promise<AuditResult> {
  const ids = input.checks?.length ? CHECK_IDS.filter((c) => input.checks!.includes(c)) : [...CHECK_IDS];
  const checks = ids.map((id) => CHECKS[id]);
  const statuses = input.status?.length ? [...new Set(input.status)] : [...DEFAULT_STATUSES];
  const got = await collect(ctx, { vendor: input.vendor, account: input.account, statuses, checks }, signal, progress);
  const env = { now: ctx.now(), statuses };
  const vendorsAudited = VENDORS.filter((v) => got.tally.some((t) => t.vendor === v));
  const perCheck = input.max_per_check ?? DEFAULT_PER_CHECK;
  const findings: Finding[] = [];
  const byCheck: AuditResult['summary']['by_check'] = [];
  const notChecked: AuditResult['summary']['not_checked'] = [];
  const bySeverity = { high: 0, medium: 0, low: 0 };
  const incomplete: NonNullable<AuditResult['summary']['incomplete']> = [];
  for (const check of checks) {
    const items = got.items.filter((i) => i.inScope || check.extraScope?.(i.summary, statuses));
    const found = check.run(items, env).sort(byVendorThenName);
    const missing = vendorsAudited.filter((v) => !check.vendors[v]);
    if (missing.length) notChecked.push({ check: check.id, vendors: missing, reason: check.unsupported });
    if (!vendorsAudited.some((v) => check.vendors[v])) continue;
    for (const f of found) bySeverity[f.severity]++;
    const shown = fairShare(found, perCheck).sort(byVendorThenName);
    findings.push(...shown);
    const gaps = unseen(check, items, statuses, got.tally);
    incomplete.push(...gaps);
    const notSeen = gaps.reduce((n, g) => n + g.campaigns, 0);
    byCheck.push({ check: check.id, severity: check.severity, findings: found.length, shown: shown.length, ...(notSeen ? { not_seen: notSeen } : {}) });
  }
  return {
    findings,
    summary: {
      statuses, audited: got.tally, by_check: byCheck, by_severity: bySeverity, not_checked: notChecked,
      ...(got.errors.length ? { errors: got.errors } : {}),
      ...(got.warnings.length ? { warnings: got.warnings } : {}),
      ...(incomplete.length ? { incomplete } : {}),
    },
  };
}

/** Per account, the campaigns `check` needed a detail or report read of and did not get one, and why. */
function unseen(check: Check, items: readonly AuditItem[], statuses: readonly Status[], tally: readonly AccountTally[]): NonNullable<AuditResult['summary']['incomplete']> {
  const rows = new Map<string, NonNullable<AuditResult['summary']['incomplete']>[number]>();
  for (const i of items) {
    if (!i.missed) continue;
    const s = i.summary;
    const detail = !!check.vendors[s.vendor] && (typeof check.needsDetail === 'function' ? check.needsDetail(s) : check.needsDetail);
    if (!(detail && !i.detail) && !(check.needsReport?.(s, statuses) && !i.report)) continue;
    const reason = i.missed === 'failed' ? 'read_failed' as const
      : tally.find((t) => t.vendor === s.vendor && t.account === i.account)?.unread_reason ?? 'deadline';
    const key = `${s.vendor}/${i.account ?? ''}/${reason}`;
    const row = rows.get(key) ?? { check: check.id, vendor: s.vendor, ...(i.account ? { account: i.account } : {}), campaigns: 0, reason };
    row.campaigns++;
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** At most `max` findings, taken round-robin across accounts so no vendor is hidden behind another. */
function fairShare(found: readonly Finding[], max: number): Finding[] {
  const queues = new Map<string, Finding[]>();
  for (const f of found) queues.set(`${f.vendor}/${f.account ?? ''}`, [...(queues.get(`${f.vendor}/${f.account ?? ''}`) ?? []), f]);
  const out: Finding[] = [];
  while (out.length < max && out.length < found.length) for (const q of queues.values()) if (q.length && out.length < max) out.push(q.shift()!);
  return out;
}

function byVendorThenName(a: Finding, b: Finding): number {
  return VENDORS.indexOf(a.vendor) - VENDORS.indexOf(b.vendor) || (a.account ?? '').localeCompare(b.account ?? '')
    || a.campaign_name.localeCompare(b.campaign_name) || a.campaign_id.localeCompare(b.campaign_id);
}

export { LATEST_AUDIT_URI, rememberAudit } from './latest.js';
export { renderAudit } from './render.js';
