import { AudienceSchema, ChannelSchema, ReachEstimateSchema, VendorIdSchema } from '../src/domain.js';
import { UnsupportedError } from '../src/errors.js';
import { accountField, defineTool, pickAdapter, sandboxField } from '../src/tool.js';

/** How many users an audience would reach on a channel, without creating anything. */
export default defineTool({
  name: 'estimate_reach',
  title: 'Estimate audience reach',
  description:
    'Estimates how many users an audience reaches on a channel, before anything is created (never creates or sends). ' +
    'Audience: all_users, an event in a date window, profile conditions, or a vendor segment id. ' +
    'Not every vendor can estimate (see list_vendors); those say what they offer instead.',
  kind: 'read',
  available: (a) => a.capabilities.estimate_reach,
  instead: (a) => a.capabilities.estimate_reach_alternative,
  action: 'estimate reach',
  inputSchema: {
    vendor: VendorIdSchema.describe('vendor the campaign lives in'),
    channel: ChannelSchema.describe('channel to estimate for'),
    audience: AudienceSchema.describe('who to reach, e.g. {"event":{"name":"Added To Cart","from":"2026-11-16"}}'),
    account: accountField,
  },
  outputSchema: { ...ReachEstimateSchema.shape, ...sandboxField },
  async handler(args, ctx, signal) {
    const adapter = pickAdapter(ctx, args.vendor, args.account);
    if (!adapter.estimateReach || !adapter.capabilities.estimate_reach) {
      throw new UnsupportedError(adapter.vendor, adapter.capabilities.estimate_reach_alternative ?? `${adapter.vendor} has no reach estimate API.`);
    }
    if (!adapter.capabilities.channels.includes(args.channel)) {
      throw new UnsupportedError(adapter.vendor, `channel ${args.channel} is not available; ${adapter.vendor} offers ${adapter.capabilities.channels.join(', ')}.`);
    }
    const est = await adapter.estimateReach(args.channel, args.audience, signal);
    const split = est.by_platform ? ` (${Object.entries(est.by_platform).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
    return {
      structured: est,
      text: `Estimated reach on ${est.vendor} ${est.channel}: ${est.estimated_reach}${split}.${est.note ? ` ${est.note}` : ''} Nothing was created.`,
    };
  },
});
