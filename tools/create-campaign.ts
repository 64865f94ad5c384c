import { z } from 'zod';
import { AudienceSchema, ChannelSchema, ContentSchema, VendorIdSchema } from '../src/domain.js';
import { InputError } from '../src/errors.js';
import { confirmField, runWrite, writeOutput } from '../src/confirm.js';
import { accountField, defineTool, pickAdapter } from '../src/tool.js';

/** Create a campaign on one vendor: a preview first, written only with its confirm token. */
export default defineTool({
  name: 'create_campaign',
  title: 'Create a campaign',
  description:
    'Creates a campaign on one vendor. Call it first WITHOUT confirm: it validates, builds the exact request and returns a preview ' +
    '(audience, estimated reach where the vendor can estimate, content, schedule in the account\'s time zone) and a confirm token; nothing is created. ' +
    'Show the preview to the person; only after they agree, call again with the same arguments and confirm. Use estimate_reach to size an audience first.',
  kind: 'write',
  app: 'write-preview',
  action: 'create the campaign',
  available: (a) => (a.writer?.capabilities.create.length ?? 0) > 0,
  inputSchema: {
    vendor: VendorIdSchema.describe('vendor to create the campaign in'),
    account: accountField,
    name: z.string().trim().min(1, { error: 'name must not be empty' }).max(200).describe('campaign name'),
    channel: ChannelSchema.describe('push, email, sms, ... (see list_vendors for what each vendor creates)'),
    audience: AudienceSchema.describe('who receives it, e.g. {"event":{"name":"Added To Cart","from":"2026-11-24"}}'),
    content: ContentSchema.describe('push: title and body; email: subject and body; sms: body'),
    schedule: z.string().max(40).optional().describe('ISO 8601 start; with an offset it is that instant, without one it is in the account\'s time zone; omit to send now'),
    confirm: confirmField,
  },
  outputSchema: writeOutput,
  async handler(args, ctx, signal, call) {
    if (!ctx.gate) throw new InputError('writes are disabled (read-only mode)');
    const adapter = pickAdapter(ctx, args.vendor, args.account);
    const { confirm, vendor: _v, account: _a, ...input } = args;
    return runWrite(ctx.gate, { tool: 'create_campaign', adapter, args: input, op: { kind: 'create', input }, confirm }, call, signal);
  },
});
