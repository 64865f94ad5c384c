import { z } from 'zod';
import { CampaignReportSchema, VendorIdSchema, type Metrics } from '../src/domain.js';
import { accountField, defineTool, pickAdapter, sandboxField } from '../src/tool.js';

/** Delivery and engagement numbers for one campaign, where the vendor reports them. */
export default defineTool({
  name: 'get_campaign_report',
  title: 'Get campaign report',
  description:
    'Returns delivery and engagement metrics (sent, delivered, opened, clicked, converted, failed) for one campaign, ' +
    'with a per-platform split when the vendor gives one. When the vendor has no numbers yet (e.g. CleverTap before completion) it says so.',
  kind: 'read',
  available: (a) => a.capabilities.report,
  action: 'get the campaign report',
  inputSchema: {
    vendor: VendorIdSchema.describe('vendor the campaign lives in'),
    id: z.string({ error: (iss) => (iss.input === undefined ? 'id is required: pass the id from list_campaigns' : 'id must be a string') }).trim().min(1, { error: 'id must not be empty: pass the id from list_campaigns' }).describe('campaign id as listed'),
    account: accountField,
  },
  outputSchema: { report: CampaignReportSchema, ...sandboxField },
  async handler(args, ctx, signal) {
    const adapter = pickAdapter(ctx, args.vendor, args.account);
    const report = await adapter.getReport(args.id, signal);
    const head = `${report.vendor} ${report.id}${report.period ? ` ${report.period.from}..${report.period.to}` : ''}`;
    const lines = [report.available ? `${head}: ${fmt(report.metrics)}` : `${head}: no numbers yet. ${report.message ?? ''}`.trim()];
    if (report.available && report.message) lines.push(report.message);
    for (const [p, m] of Object.entries(report.by_platform ?? {})) lines.push(`  ${p}: ${fmt(m)}`);
    return { structured: { report }, text: lines.join('\n') };
  },
});

function fmt(m: Metrics | undefined): string {
  const parts = Object.entries(m ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'no metrics';
}
