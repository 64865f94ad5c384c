import { z } from 'zod';
import { VendorIdSchema, type CampaignDetail, type CampaignReport, type CampaignSummary, type Status, type VendorId } from '../domain.js';

/** Every audit check, in the order findings are shown (most urgent kinds first). */
export const CHECK_IDS = [
  'empty_audience', 'frequency_cap_bypass', 'dnd_bypass', 'stale_schedule', 'past_expiry', 'overlapping_audience',
  'throttle_outlier', 'duplicate_name', 'no_control_group', 'no_conversion_goal', 'missing_utm', 'long_paused',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];
export const CheckIdSchema = z.enum(CHECK_IDS, { error: `checks are: ${CHECK_IDS.join(', ')}` });

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One finding, as DESIGN.md names it: the campaign, the vendor field and value it rests on, and what to do. */
export const FindingSchema = z.object({
  check: CheckIdSchema,
  severity: z.enum(SEVERITIES),
  vendor: VendorIdSchema,
  account: z.string().optional(),
  campaign_id: z.string(),
  campaign_name: z.string(),
  evidence: z.string().describe("the vendor's field and value the finding rests on"),
  fix: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** One audited campaign: its listing entry, and its detail or report where a check needed them. */
export interface AuditItem {
  summary: CampaignSummary;
  detail?: CampaignDetail;
  report?: CampaignReport;
  /** The account label to show (set only when a vendor has several accounts). */
  account?: string;
  /** Matches the status filter (else it is here for a check's extraScope only). */
  inScope: boolean;
  /** A detail or report read it needed was not made before the deadline (`unread`) or failed: what is absent is unknown, not clean. */
  missed?: 'unread' | 'failed';
}

/** What a check may know besides the campaigns. */
export interface CheckEnv {
  now: Date;
  /** The statuses audited (the status filter). */
  statuses: readonly Status[];
}

/** A check: pure over the audited items; `vendors` says for which vendors the data carries what it reads. */
export interface Check {
  id: CheckId;
  severity: Severity;
  /** What it reads and where the vendor keeps it, one line. */
  reads: string;
  /** Vendors whose data carries what it reads; any other vendor goes to not_checked with this reason. */
  vendors: Partial<Record<VendorId, true>>;
  unsupported: string;
  /** The check reads campaign detail (getCampaign) of these campaigns (true: all it looks at), not only the listing. */
  needsDetail: boolean | ((s: CampaignSummary) => boolean);
  /** Campaigns outside the status filter this check also looks at (e.g. paused ones for long_paused). */
  extraScope?: (s: CampaignSummary, statuses: readonly Status[]) => boolean;
  /** Campaigns whose report (getReport) this check reads. */
  needsReport?: (s: CampaignSummary, statuses: readonly Status[]) => boolean;
  run(items: readonly AuditItem[], env: CheckEnv): Finding[];
}

/** A finding for `item`; the account appears only where the item carries one. */
export function finding(check: Check, item: AuditItem, evidence: string, fix: string, severity: Severity = check.severity): Finding {
  const s = item.summary;
  return {
    check: check.id, severity, vendor: s.vendor, ...(item.account ? { account: item.account } : {}),
    campaign_id: s.id, campaign_name: s.name, evidence, fix,
  };
}

/** Days between an ISO timestamp and `now`, or undefined when it does not parse. */
export function daysSince(iso: string | undefined, now: Date): number | undefined {
  if (!iso) return undefined;
  // Account-local stamps carry no zone; read as UTC, which moves a day-scale threshold by hours at most.
  const t = Date.parse(iso.length <= 10 || /(Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / 86_400_000;
}
