import type { AuditResult } from '../audit/index.js';
import type { VendorId } from '../domain.js';

export type Finding = AuditResult['findings'][number];
/** The canonical vendor order (domain VENDORS; copied so the view bundles no zod; a test keeps them equal). */
export const VENDOR_ORDER: readonly VendorId[] = ['clevertap', 'moengage', 'batch', 'altcraft'];
export const SEVERITY_ORDER = ['high', 'medium', 'low'] as const;
export type SortBy = 'check' | 'vendor' | 'campaign';

/** What the person narrowed the report to; an empty field means all. */
export interface AuditFilter { vendor: string; check: string; sort: SortBy }
export const NO_FILTER: AuditFilter = { vendor: '', check: '', sort: 'check' };

/** The findings matching `f`. */
export function filterFindings(findings: readonly Finding[], f: AuditFilter): Finding[] {
  return findings.filter((x) => (!f.vendor || x.vendor === f.vendor) && (!f.check || x.check === f.check));
}

/** Sorted copy: by check (the report's order, most urgent kinds first), by vendor, or by campaign name; ties keep the report's order. */
export function sortFindings(findings: readonly Finding[], by: SortBy, checkOrder: readonly string[]): Finding[] {
  const rank = (x: Finding) => (by === 'check' ? checkOrder.indexOf(x.check) : by === 'vendor' ? VENDOR_ORDER.indexOf(x.vendor) : 0);
  return findings
    .map((x, i) => ({ x, i }))
    .sort((a, b) => rank(a.x) - rank(b.x) || (by === 'campaign' ? a.x.campaign_name.localeCompare(b.x.campaign_name) : 0) || a.i - b.i)
    .map((e) => e.x);
}

/** Non-empty severity groups, most severe first. */
export function groupBySeverity(findings: readonly Finding[]): Array<{ severity: Finding['severity']; findings: Finding[] }> {
  return SEVERITY_ORDER.map((severity) => ({ severity, findings: findings.filter((x) => x.severity === severity) })).filter((g) => g.findings.length > 0);
}

/** A severity group's findings by check, in their order, with the fix they share (the first one's; a finding with its own shows it). */
export function groupByCheck(findings: readonly Finding[]): Array<{ check: string; fix: string; findings: Finding[] }> {
  const out: Array<{ check: string; fix: string; findings: Finding[] }> = [];
  for (const f of findings) {
    const g = out.find((x) => x.check === f.check);
    if (g) g.findings.push(f);
    else out.push({ check: f.check, fix: f.fix, findings: [f] });
  }
  return out;
}

/** The choices the filters offer: vendors in the canonical order, checks in the report's order, each only when it has findings. */
export function filterOptions(r: AuditResult): { vendors: string[]; checks: string[] } {
  const vendors = VENDOR_ORDER.filter((v) => r.findings.some((x) => x.vendor === v));
  const checks = r.summary.by_check.filter((c) => r.findings.some((x) => x.check === c.check)).map((c) => c.check);
  return { vendors, checks };
}

/** The check order of the report (by_check), for sorting. */
export function checkOrder(r: AuditResult): string[] {
  return r.summary.by_check.map((c) => c.check);
}

/** Checks with more findings than listed (max_per_check). */
export function truncated(r: AuditResult): Array<{ check: string; shown: number; findings: number }> {
  return r.summary.by_check.filter((c) => c.shown < c.findings).map((c) => ({ check: c.check, shown: c.shown, findings: c.findings }));
}

/** One line: how much was audited and what was found. */
export function summaryLine(r: AuditResult): string {
  const s = r.summary;
  const campaigns = s.audited.reduce((n, a) => n + a.campaigns, 0);
  const total = s.by_check.reduce((n, c) => n + c.findings, 0);
  return `${campaigns} ${s.statuses.join('/')} campaigns audited: ${total} finding${total === 1 ? '' : 's'}, ${r.findings.length} listed.`;
}

/**
 * What the card says when nothing is found: "every check passed" only when checks ran and every account was listed and
 * read; otherwise what was not covered (an account not audited, a listing cut short, campaigns not read, no check able to run).
 */
export function emptyLine(r: AuditResult): string {
  const s = r.summary;
  if (!s.by_check.length) return s.errors?.length ? 'Nothing could be audited (below).' : 'No check could run on these campaigns (below).';
  const gaps = (s.errors?.length ?? 0) + (s.warnings?.length ?? 0) + (s.incomplete?.length ?? 0) + s.not_checked.length + s.audited.filter((a) => a.unread || a.failed_reads).length;
  return gaps ? 'No findings in what could be audited; some was not (below).' : 'No findings: every check passed.';
}

/** True when the structured content has an audit's shape. */
export function isAudit(s: unknown): s is AuditResult {
  const r = s as AuditResult | undefined;
  return !!r && Array.isArray(r.findings) && !!r.summary && Array.isArray(r.summary.by_check);
}
