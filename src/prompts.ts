import { ResourceNotFoundError, ResourceTemplate, completable, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { CHANNELS, VENDORS } from './domain.js';
import { CHECK_IDS } from './audit/types.js';
import { AUDIT_REPORT_TEMPLATE, LATEST_AUDIT_URI, keptAudit, latestAudit, type KeptAudit } from './audit/latest.js';
import type { ToolContext } from './tool.js';

const startsWith = (options: readonly string[]) => (value: string | undefined) => options.filter((o) => o.startsWith((value ?? '').toLowerCase()));
/** Completes the last item of a comma-separated list, keeping the items before it (clients replace the whole value). */
const completeList = (options: readonly string[]) => (value: string | undefined) => {
  const parts = (value ?? '').split(',');
  const head = parts.slice(0, -1).map((p) => p.trim()).filter(Boolean);
  return startsWith(options.filter((o) => !head.includes(o)))(parts.at(-1)?.trim()).map((o) => [...head, o].join(', '));
};
const user = (text: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] });

/** The configured vendors, in canonical order: what a `vendor` argument completes to. */
function configured(ctx: ToolContext): string[] {
  return VENDORS.filter((v) => ctx.adapters.some((a) => a.vendor === v));
}

/** The two guided workflows (draft_campaign, audit_campaigns) and the audit resources (each report, this server's latest); read-only mode has no draft. */
export function registerPrompts(server: McpServer, ctx: ToolContext, readOnly = false): void {
  // A typo ("clevertapp", "dnd_bypas") is refused here, naming what is accepted, rather than written into the
  // instructions for the model to act on. An empty string is a field a form left blank: omitted.
  const vendorName = z.string().refine((v) => v === '' || configured(ctx).includes(v), {
    error: () => `vendor must be one of: ${configured(ctx).join(', ') || 'none (no vendor is configured)'} (see list_vendors)`,
  });
  const vendor = completable(vendorName.describe('vendor to use (omit to choose from list_vendors)'), (v) => startsWith(configured(ctx))(v)).optional();
  const checkList = z.string().refine((v) => v.split(',').map((c) => c.trim()).filter(Boolean).every((c) => (CHECK_IDS as readonly string[]).includes(c)), {
    error: `checks are a comma-separated list of: ${CHECK_IDS.join(', ')}`,
  });
  if (!readOnly) server.registerPrompt('draft_campaign', {
    title: 'Draft a campaign',
    description: 'From an audience and goal in words to a created campaign: estimate the reach, preview, and create only once the person confirms.',
    argsSchema: z.object({
      goal: z.string().describe('what the campaign should achieve and to whom, in words, e.g. "push to people who added to cart this week but did not buy"'),
      vendor,
      channel: completable(z.string().refine((c) => c === '' || (CHANNELS as readonly string[]).includes(c), { error: `channel must be one of: ${CHANNELS.join(', ')}` }).describe('channel, e.g. push, email, sms'), (v) => startsWith(CHANNELS)(v)).optional(),
    }),
  }, ({ goal, vendor: v, channel }) => user([
    `Draft a campaign: ${goal}.`,
    v ? `Use ${v}.` : 'Pick the vendor with list_vendors (ask me if several fit).',
    channel ? `Channel: ${channel}.` : 'Infer the channel from the goal, or ask me.',
    // The model knows neither today's date nor the account's zone: "this week" and "tomorrow 10:00" need both.
    `Today is ${ctx.now().toISOString().slice(0, 10)} (UTC); list_vendors gives each account's time zone, in which a schedule without an offset is read.`,
    'Steps: 1) Turn the audience into the normalized audience (all_users, event with from/to dates, profile conditions, segment_id) and show it to me in words.',
    'It has no exclusion ("did not buy", "has not opened"): if part of my audience cannot be expressed, say so plainly and ask (a segment_id built in the vendor can hold it); never drop it silently.',
    '2) Call estimate_reach with it and tell me the number (or why the vendor cannot estimate).',
    '3) Write the content and call create_campaign WITHOUT confirm: show me the preview (audience, reach, content, schedule in the account time zone).',
    '4) Only when I explicitly approve, call create_campaign again with the same arguments and the confirm token. Never confirm on my behalf; if I change anything, preview again.',
  ].join('\n')));

  server.registerPrompt('audit_campaigns', {
    title: 'Audit campaigns',
    description: 'Audit running and scheduled campaigns and turn the findings into a prioritized list of fixes.',
    argsSchema: z.object({
      vendor,
      checks: completable(checkList.describe(`comma-separated checks (default all): ${CHECK_IDS.join(', ')}`), completeList(CHECK_IDS)).optional(),
    }),
  }, ({ vendor: v, checks }) => user([
    `Audit my campaigns${v ? ` on ${v}` : ' across every configured vendor'}${checks ? ` for: ${checks}` : ''}.`,
    `Call audit_campaigns${v || checks ? ` with ${[v && `vendor: "${v}"`, checks && `checks: ${JSON.stringify(checks.split(',').map((c) => c.trim()).filter(Boolean))}`].filter(Boolean).join(', ')}` : ''}.`,
    'Then give me a prioritized summary: high severity first, then medium, then low; for each check, how many campaigns, the worst examples (vendor, id, name, the evidence quoted) and the fix.',
    // Read-only registers no set_campaign_status: offering it would send the model to a tool that is not there.
    `Say plainly what could not be checked and why (summary.not_checked, summary.incomplete, summary.warnings, errors). Do not change any campaign; ${readOnly
      ? 'this server is read-only, so say which fixes to make in the vendor\'s dashboard.'
      : 'offer set_campaign_status only as a next step I must confirm.'}`,
  ].join('\n')));

  // One audit's report as JSON, and its text as the same URI's #text.
  const contents = (uri: URL, kept: KeptAudit) => ({ contents: [
    { uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ audited_at: kept.at, ...kept.result, ...(ctx.sandbox ? { sandbox: true } : {}) }) },
    { uri: `${uri.href}#text`, mimeType: 'text/plain', text: kept.text },
  ] });
  server.registerResource('audit-latest', LATEST_AUDIT_URI, {
    title: 'Latest audit', description: 'The last audit_campaigns result of this server (findings and summary), to attach to a conversation', mimeType: 'application/json',
  }, async (uri) => {
    const last = latestAudit(ctx);
    return last ? contents(uri, last) : { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ message: 'No audit has run yet: call audit_campaigns first.' }) }] };
  });
  // The report_uri audit_campaigns returns: kept in the store, so any instance sharing it reads the same report.
  server.registerResource('audit-report', new ResourceTemplate(AUDIT_REPORT_TEMPLATE, { list: undefined }), {
    title: 'Audit report', description: 'One audit_campaigns result by the report_uri it returned (kept up to 24 h)', mimeType: 'application/json',
  }, async (uri, vars) => {
    const kept = await keptAudit(ctx, String(vars.id));
    if (!kept) throw new ResourceNotFoundError(uri.href, 'this audit report is not kept (reports are kept up to 24 h beside recent listings, which go first when the store is full; or it was made on a server with another store): call audit_campaigns again');
    return contents(uri, kept);
  });
}
