import { z } from 'zod';
import { StatusSchema, VendorIdSchema } from '../src/domain.js';
import { accountField, defineTool, sandboxField } from '../src/tool.js';
import { CHECK_IDS, CheckIdSchema, DEFAULT_PER_CHECK, auditOutput, rememberAudit, renderAudit, runAudit } from '../src/audit/index.js';

/** The agent-driven audit: every check over every running and scheduled campaign, findings with evidence and a fix. */
export default defineTool({
  name: 'audit_campaigns',
  title: 'Audit campaigns',
  description:
    'Reviews campaigns across every configured vendor (or one) for risky or wasteful setups: frequency caps or DND bypassed, ' +
    'no control group, stale schedules, past expiry, long-paused, duplicate names, overlapping audiences, missing goal or UTM, ' +
    'throttle outliers, audiences that match nobody. Each finding quotes the vendor field it rests on and says what to do; ' +
    'summary.not_checked says which vendor data cannot support a check, summary.incomplete which checks missed campaigns (deadline or rate window). Read-only; reads each campaign in detail, so it takes ' +
    'seconds to a minute (progress is reported). The report is kept as a resource for up to 24 h (report_uri); audit://latest is this server\'s last.',
  kind: 'read',
  app: 'audit-report',
  action: 'audit campaigns',
  inputSchema: {
    vendor: VendorIdSchema.optional().describe('one vendor; omit to audit every configured vendor'),
    account: accountField,
    checks: z.array(CheckIdSchema).min(1).optional().describe(`checks to run (default all): ${CHECK_IDS.join(', ')}`),
    status: z.array(StatusSchema).min(1).optional().describe('statuses to audit (default running and scheduled; long_paused always reads paused ones)'),
    max_per_check: z.number().int().min(1).max(500).optional().describe(`findings listed per check (default ${DEFAULT_PER_CHECK}); the summary counts all`),
  },
  outputSchema: { ...auditOutput, report_uri: z.string().optional().describe('resource holding this report'), ...sandboxField },
  async handler(args, ctx, signal, call) {
    const token = call?.sdk.mcpReq._meta?.progressToken;
    const progress = (done: number, total: number, message: string) => {
      if (token === undefined) return;
      void call!.sdk.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => {});
    };
    const result = await runAudit(ctx, args, signal, progress);
    const { uri, text } = await rememberAudit(ctx, result, (at) => renderAudit(result, at));
    return { structured: { ...result, report_uri: uri }, text };
  },
});
