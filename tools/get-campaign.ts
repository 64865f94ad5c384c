import { z } from 'zod';
import { CampaignDetailSchema, DaySchema, VendorIdSchema, type CampaignDetail } from '../src/domain.js';
import { accountField, defineTool, pickAdapter, sandboxField } from '../src/tool.js';
import { renderCampaignLine } from '../src/listing.js';

/** One campaign in full, trimmed; the vendor's raw record only when asked for. */
export default defineTool({
  name: 'get_campaign',
  title: 'Get one campaign',
  description:
    'Returns one campaign in full: status, channel, delivery, audience, content excerpt, control group, frequency caps, schedule. ' +
    'Set raw: true to also get the vendor record (trimmed; costs more tokens). ' +
    'CleverTap can only find a campaign by dates: pass from/to if it is older than 180 days.',
  kind: 'read',
  action: 'get the campaign',
  inputSchema: {
    vendor: VendorIdSchema.describe('vendor the campaign lives in'),
    id: z.string({ error: (iss) => (iss.input === undefined ? 'id is required: pass the id from list_campaigns' : 'id must be a string') }).trim().min(1, { error: 'id must not be empty: pass the id from list_campaigns' }).describe('campaign id as listed'),
    account: accountField,
    raw: z.boolean().optional().describe('include the trimmed vendor record'),
    from: DaySchema.optional().describe('CleverTap only: first day to look in'),
    to: DaySchema.optional().describe('CleverTap only: last day to look in'),
  },
  outputSchema: {
    campaign: CampaignDetailSchema,
    looked_between: z.object({ from: z.string(), to: z.string() }).optional(),
    ...sandboxField,
  },
  async handler(args, ctx, signal) {
    const adapter = pickAdapter(ctx, args.vendor, args.account);
    const got = await adapter.getCampaign(args.id, { raw: args.raw, from: args.from, to: args.to }, signal);
    const structured = { campaign: got.campaign, ...(got.range ? { looked_between: got.range } : {}) };
    return { structured, text: renderDetail(got.campaign) };
  },
});

function renderDetail(c: CampaignDetail): string {
  const lines = [renderCampaignLine(c)];
  if (c.delivery) lines.push(`Delivery: ${c.delivery}`);
  if (c.audience) lines.push(`Audience: ${c.audience}`);
  if (c.schedule) lines.push(`Schedule: ${[c.schedule.start && `from ${c.schedule.start}`, c.schedule.end && `to ${c.schedule.end}`, c.schedule.recurrence].filter(Boolean).join(' ')}`);
  if (c.control_group !== undefined) lines.push(`Control group: ${c.control_group ? 'yes' : 'no'}`);
  if (c.respects_frequency_caps !== undefined) lines.push(`Frequency caps: ${c.respects_frequency_caps ? 'respected' : 'BYPASSED'}`);
  if (c.tags?.length) lines.push(`Tags: ${c.tags.join(', ')}`);
  if (c.content) lines.push(`Content: ${c.content}`);
  if (c.raw !== undefined) lines.push(`Raw (trimmed): ${JSON.stringify(c.raw)}`);
  return lines.join('\n');
}
