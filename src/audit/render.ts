import { READ_WINDOWS } from './collect.js';
import type { AuditResult, Finding } from './index.js';

const REASON = { deadline: "call's deadline", rate_window: "vendor's rate window", read_failed: 'reads failed' } as const;

/** Longest evidence shown in the text rendering; the structured finding keeps it whole. */
const TEXT_EVIDENCE = 120;

/** The audit as compact text: totals, then each check with findings (most urgent first) and its fix once, then gaps. */
export function renderAudit(r: AuditResult, uri?: string): string {
  const s = r.summary;
  const audited = s.audited.map((a) => `${a.vendor}${a.account ? `/${a.account}` : ''} ${a.campaigns}`).join(', ');
  const total = s.by_check.reduce((n, c) => n + c.findings, 0);
  const partial = s.by_check.filter((c) => c.not_seen).length;
  const lines = [
    `Audited ${s.audited.reduce((n, a) => n + a.campaigns, 0)} ${s.statuses.join('/')} campaigns (${audited}). ` +
      `${total} findings: ${s.by_severity.high} high, ${s.by_severity.medium} medium, ${s.by_severity.low} low.` +
      (partial ? ` ${partial} ${partial === 1 ? 'check was' : 'checks were'} not fully checked (below).` : '') +
      (s.warnings?.length ? ` Listing incomplete on ${[...new Set(s.warnings.map((w) => `${w.vendor}${w.account ? `/${w.account}` : ''}`))].join(', ')}: campaigns it did not list were not audited (below).` : ''),
  ];
  for (const c of s.by_check) {
    if (!c.findings) continue;
    const of = r.findings.filter((f) => f.check === c.check);
    lines.push('', `${c.severity.toUpperCase()} ${c.check}: ${c.findings}${c.shown < c.findings ? ` (${c.shown} shown; raise max_per_check for all)` : ''}${c.not_seen ? ` (${c.not_seen} campaigns not seen)` : ''}. Fix: ${commonFix(of)}`);
    for (const f of of) lines.push(`- ${f.vendor}${f.account ? `/${f.account}` : ''} ${f.campaign_id} "${f.campaign_name}": ${clip(f.evidence)}${f.fix !== commonFix(of) ? ` → ${f.fix}` : ''}`);
  }
  const clean = s.by_check.filter((c) => !c.findings && !c.not_seen).map((c) => c.check);
  if (clean.length) lines.push('', `No findings: ${clean.join(', ')}.`);
  if (s.incomplete?.length) {
    lines.push('', 'Not fully checked (campaigns these checks could not read, so their findings may be missing):');
    const groups = new Map<string, string[]>();
    for (const g of s.incomplete) {
      const where = `${g.vendor}${g.account ? `/${g.account}` : ''} ${g.campaigns} (${REASON[g.reason]})`;
      groups.set(where, [...(groups.get(where) ?? []), g.check]);
    }
    for (const [where, checks] of groups) lines.push(`- ${checks.join(', ')}: ${where}`);
  }
  if (s.not_checked.length) {
    lines.push('', 'Not checked (the vendor data lacks it):');
    for (const n of s.not_checked) lines.push(`- ${n.check} on ${n.vendors.join(', ')}: ${n.reason}`);
  }
  for (const a of s.audited) {
    if (a.listed_range) lines.push(`${a.vendor} listed ${a.listed_range.from}..${a.listed_range.to} only.`);
    if (a.unread && a.unread_reason === 'rate_window') {
      lines.push(`${a.vendor}${a.account ? `/${a.account}` : ''}: ${a.unread} campaigns were not read in detail before the call's deadline: the vendor's rate window (${READ_WINDOWS[a.vendor] ?? 'its limit'}) held the reads back; their detail checks were skipped (audit again once the window has passed, in about ${a.frees_in_s ? `${a.frees_in_s} s` : 'a minute'}).`);
    } else if (a.unread) lines.push(`${a.vendor}${a.account ? `/${a.account}` : ''}: ${a.unread} campaigns were not read in detail before the call's deadline; their detail checks were skipped (audit one vendor, or fewer checks, to cover them).`);
    if (a.failed_reads) lines.push(`${a.vendor}${a.account ? `/${a.account}` : ''}: ${a.failed_reads} campaigns could not be read in detail; their detail checks were skipped.`);
  }
  for (const w of s.warnings ?? []) lines.push(`Listing incomplete on ${w.vendor}${w.account ? `/${w.account}` : ''}: ${w.message}`);
  for (const e of s.errors ?? []) lines.push(`Not audited ${e.vendor}${e.account ? `/${e.account}` : ''}: ${e.message}`);
  if (uri) lines.push(`Full report: ${uri}`);
  return lines.join('\n');
}

function commonFix(of: readonly Finding[]): string {
  return of[0]?.fix ?? '';
}

function clip(s: string): string {
  return s.length > TEXT_EVIDENCE ? `${s.slice(0, TEXT_EVIDENCE - 1)}…` : s;
}
