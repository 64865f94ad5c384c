import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import type { AuditResult } from '../../audit/index.js';
import { Bridge, applyHostContext, defaultTheme, initialize, reportSize } from './bridge.js';
import { h, mount } from './dom.js';
import { humanize, vendorName } from '../format.js';
import { NO_FILTER, checkOrder, emptyLine, filterFindings, filterOptions, groupByCheck, groupBySeverity, isAudit, sortFindings, summaryLine, truncated, type AuditFilter, type Finding, type SortBy } from '../audit-model.js';
import { resultText, type ToolResultLike } from '../preview-model.js';

const root = document.getElementById('app')!;
const bridge = new Bridge();
defaultTheme();
let report: AuditResult | undefined;
let sandbox = false;
let filter: AuditFilter = { ...NO_FILTER };
/** Checks whose findings are all shown; the others show their first few. */
const expanded = new Set<string>();
const FIRST = 2;
const INCOMPLETE = { deadline: "the call's deadline came first", rate_window: "the vendor's rate window held the reads", read_failed: 'the reads failed' } as const;

function select(label: string, key: keyof AuditFilter, options: Array<[string, string]>): HTMLElement {
  const el = h('select', { id: `f-${key}`, on: { change: (e) => { filter = { ...filter, [key]: (e.target as HTMLSelectElement).value }; renderList(); } } },
    ...options.map(([value, text]) => h('option', { value, ...(filter[key] === value ? { selected: true } : {}) }, text)));
  return h('label', { class: 'filter', for: `f-${key}` }, h('span', {}, label), el);
}

function findingCard(f: Finding, fix: string): HTMLElement {
  return h('li', { class: `finding sev-${f.severity}` },
    h('div', { class: 'f-head' },
      h('span', { class: 'c-name' }, f.campaign_name),
      h('span', { class: 'where' }, `${vendorName(f.vendor)}${f.account ? ` / ${f.account}` : ''}`)),
    h('div', { class: 'c-id' }, f.campaign_id),
    h('dl', {}, h('dt', {}, 'Evidence'), h('dd', { class: 'evidence' }, f.evidence), f.fix !== fix ? h('dt', {}, 'Fix') : null, f.fix !== fix ? h('dd', {}, f.fix) : null));
}

function checkGroup(g: { check: string; fix: string; findings: Finding[] }, severity: string): HTMLElement {
  const all = expanded.has(g.check) || g.findings.length <= FIRST + 1;
  const shown = all ? g.findings : g.findings.slice(0, FIRST);
  return h('div', { class: `check-group sev-${severity}` },
    h('h3', {}, h('span', { class: 'check' }, humanize(g.check)), h('span', { class: 'muted' }, ` · ${g.findings.length}`)),
    h('p', { class: 'fix' }, h('span', { class: 'label' }, 'Fix: '), g.fix),
    h('ul', {}, ...shown.map((f) => findingCard(f, g.fix))),
    all ? null : h('button', { type: 'button', class: 'more', on: { click: () => { expanded.add(g.check); renderList(); } } }, `Show ${g.findings.length - FIRST} more`));
}

const list = h('div', { class: 'groups' });

/** "8 findings", or "8 listed of 123" when the unfiltered report found more than it lists. */
function countLabel(listed: number, found: number): string {
  return !filter.vendor && !filter.check && found > listed ? `${listed} listed of ${found}` : `${listed} finding${listed === 1 ? '' : 's'}`;
}

function renderList(): void {
  if (!report) return;
  const shown = sortFindings(filterFindings(report.findings, filter), filter.sort, checkOrder(report));
  const groups = groupBySeverity(shown);
  mount(list,
    h('p', { class: 'muted', role: 'status' }, `Showing ${shown.length} of ${report.findings.length} listed findings.`),
    ...groups.map((g) => h('section', { class: `group sev-${g.severity}`, 'aria-label': `${g.severity} severity` },
      h('h2', {}, h('span', { class: `badge sev-${g.severity}` }, g.severity), ` ${countLabel(g.findings.length, report!.summary.by_severity[g.severity])}`),
      ...groupByCheck(g.findings).map((c) => checkGroup(c, g.severity)))),
    groups.length ? null : h('p', { class: 'muted' }, report.findings.length ? 'No finding matches these filters.' : emptyLine(report)));
}

function render(): void {
  if (!report) return;
  const r = report;
  const opts = filterOptions(r);
  const cut = truncated(r);
  const sorts: Array<[SortBy, string]> = [['check', 'check'], ['vendor', 'vendor'], ['campaign', 'campaign name']];
  mount(root,
    h('header', { class: 'head' },
      h('div', { class: 'who' }, h('span', { class: 'vendor' }, 'Campaign audit'), sandbox ? h('span', { class: 'chip' }, 'Sandbox data') : null),
      h('h1', {}, summaryLine(r)),
      h('div', { class: 'sev-counts' }, ...(['high', 'medium', 'low'] as const).map((s) => h('span', { class: `badge sev-${s}` }, `${r.summary.by_severity[s]} ${s}`)))),
    h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Filter and sort' },
      select('Vendor', 'vendor', [['', 'All vendors'], ...opts.vendors.map((v): [string, string] => [v, vendorName(v)])]),
      select('Check', 'check', [['', 'All checks'], ...opts.checks.map((c): [string, string] => [c, humanize(c)])]),
      select('Sort by', 'sort', sorts)),
    list,
    cut.length ? h('p', { class: 'meta-line' }, `More found than listed: ${cut.map((c) => `${humanize(c.check)} ${c.shown} of ${c.findings}`).join(', ')} (raise max_per_check to list all).`) : null,
    r.summary.not_checked.length ? h('details', { class: 'gaps' }, h('summary', {}, `Not checked (${r.summary.not_checked.length}): the vendor data lacks it`),
      h('ul', {}, ...r.summary.not_checked.map((n) => h('li', {}, `${humanize(n.check)} on ${n.vendors.map(vendorName).join(', ')}: ${n.reason}`)))) : null,
    ...(r.summary.incomplete ?? []).map((g) => h('p', { class: 'notice warn' },
      `Not fully checked: ${humanize(g.check)} on ${vendorName(g.vendor)}${g.account ? `/${g.account}` : ''}, ${g.campaigns} campaigns not read (${INCOMPLETE[g.reason]}).`)),
    ...(r.summary.warnings ?? []).map((w) => h('p', { class: 'notice warn' }, `Listing incomplete on ${vendorName(w.vendor)}${w.account ? `/${w.account}` : ''}: ${w.message}`)),
    ...(r.summary.errors ?? []).map((e) => h('p', { class: 'notice warn' }, `Not audited ${vendorName(e.vendor)}${e.account ? `/${e.account}` : ''}: ${e.message}`)));
  renderList();
}

function onContext(ctx: Partial<McpUiHostContext> | undefined): void {
  applyHostContext(ctx);
}

bridge.on('ui/notifications/tool-result', (p) => {
  const result = p as ToolResultLike;
  if (isAudit(result.structuredContent)) {
    report = result.structuredContent;
    sandbox = (result.structuredContent as { sandbox?: unknown }).sandbox === true;
    render();
  } else {
    mount(root, h('p', { class: 'notice warn', role: 'alert' }, resultText(result) || 'The audit returned no report.'));
  }
});
bridge.on('ui/notifications/host-context-changed', (p) => onContext(p as Partial<McpUiHostContext>));
mount(root, h('p', { class: 'muted' }, 'Auditing… the report appears here when the audit finishes.'));
reportSize(bridge);
initialize(bridge, 'campaign-mcp audit report').then((init) => onContext(init.hostContext), () => mount(root, h('p', { class: 'notice warn' }, 'This report needs an MCP Apps host.')));
