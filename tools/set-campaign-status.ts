import { z } from 'zod';
import { VendorIdSchema } from '../src/domain.js';
import { InputError } from '../src/errors.js';
import { confirmField, runWrite, writeOutput } from '../src/confirm.js';
import { accountField, defineTool, pickAdapter } from '../src/tool.js';
import { STATUS_ACTIONS } from '../src/vendors/vendor.js';

/** Stop, pause or resume one campaign, behind the same confirmation as every write. */
export default defineTool({
  name: 'set_campaign_status',
  title: 'Stop, pause or resume a campaign',
  description:
    'Stops, pauses or resumes one campaign where the vendor supports that action (see list_vendors: CleverTap can only stop). ' +
    'Call WITHOUT confirm first for a preview that checks the campaign\'s state allows it; then call again with the same arguments and confirm.',
  kind: 'destructive',
  app: 'write-preview',
  action: 'change the campaign status',
  available: (a) => (a.writer?.capabilities.status.length ?? 0) > 0,
  inputSchema: {
    vendor: VendorIdSchema.describe('vendor the campaign lives in'),
    account: accountField,
    id: z.string().trim().min(1, { error: 'id must not be empty: pass the id from list_campaigns' }).max(200).describe('campaign id as listed'),
    action: z.enum(STATUS_ACTIONS).describe('stop, pause or resume'),
    confirm: confirmField,
  },
  outputSchema: writeOutput,
  async handler(args, ctx, signal, call) {
    if (!ctx.gate) throw new InputError('writes are disabled (read-only mode)');
    const adapter = pickAdapter(ctx, args.vendor, args.account);
    const actions = adapter.writer?.capabilities.status ?? [];
    if (!actions.includes(args.action)) {
      throw new InputError(`${adapter.vendor} cannot ${args.action} a campaign through its API${actions.length ? `; it can ${actions.join(', ')}` : ''}`);
    }
    const input = { id: args.id, action: args.action };
    return runWrite(ctx.gate, { tool: 'set_campaign_status', adapter, args: input, op: { kind: 'status', input }, confirm: args.confirm }, call, signal);
  },
});
