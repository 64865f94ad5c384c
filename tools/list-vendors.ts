import { z } from 'zod';
import { ChannelSchema, VendorIdSchema } from '../src/domain.js';
import { defineTool, sandboxField } from '../src/tool.js';

const VendorInfo = z.object({
  vendor: VendorIdSchema,
  account: z.string(),
  channels: z.array(ChannelSchema),
  can: z.array(z.string()).describe('what this account supports: list, search, report, estimate_reach, and the writes it can do'),
  cannot: z.array(z.string()).optional().describe('notable gaps, with what the vendor offers instead'),
  list_window: z.string().optional().describe('how listing is bounded by dates, where it is'),
  timezone: z.string().optional().describe("the account's IANA zone: a schedule without an offset, and its local times, are in it"),
});

/** Which vendors and accounts are configured and what each can do — never a secret. */
export default defineTool({
  name: 'list_vendors',
  title: 'List configured vendors',
  description:
    'Lists the configured vendor accounts (CleverTap, MoEngage, Batch, Altcraft) and what each supports. ' +
    'Call first to learn which vendor and account names the other tools accept. Cheap; contacts no vendor.',
  kind: 'read',
  action: 'list vendors',
  inputSchema: {},
  outputSchema: { vendors: z.array(VendorInfo), ...sandboxField },
  async handler(_args, ctx) {
    const vendors = ctx.adapters.map((a) => {
      const c = a.capabilities;
      // Only what a registered tool can do: writes only when the write tools are registered (not read-only).
      // ...and only for the vendors CAMPAIGN_MCP_WRITE_VENDORS lets write: the gate refuses the others.
      const barred = ctx.gate && a.writer && ctx.writeVendors && !ctx.writeVendors.includes(a.vendor);
      const w = ctx.gate && !barred ? a.writer?.capabilities : undefined;
      const writes = w ? [
        ...(w.create.length ? [`create_campaign: ${w.create.join(', ')}`] : []),
        ...(w.send.channels.length ? [`send_to_users: ${w.send.channels.join(', ')} by ${w.send.id_types.join(', ')}, ≤${w.send.batch_size} a request${w.send.needs_campaign_id ? `, needs campaign_id${ctx.sendThrough?.[a.vendor] ? ` (on the sandbox: ${ctx.sendThrough[a.vendor]})` : ''}` : ''}`] : []),
        ...(w.status.length ? [`set_campaign_status: ${w.status.join(', ')}`] : []),
      ] : [];
      const can = ['list', 'search', ...(c.report ? ['report'] : []), ...(c.estimate_reach ? ['estimate_reach'] : []), ...writes];
      const cannot = [
        ...(c.estimate_reach ? [] : [`estimate_reach: ${c.estimate_reach_alternative ?? 'no estimate API'}`]),
        ...(barred ? [`writes: not allowed here (CAMPAIGN_MCP_WRITE_VENDORS is ${ctx.writeVendors!.join(', ') || 'empty'})`] : []),
      ];
      return {
        vendor: a.vendor,
        account: a.account,
        channels: [...c.channels],
        can,
        ...(cannot.length ? { cannot } : {}),
        ...(a.timezone ? { timezone: a.timezone } : {}),
        ...(c.date_windowed ? { list_window: `by dates, ≤${c.date_windowed.max_days} days a request (fetched in windows); default the last ${c.date_windowed.default_days} days and the next 30` } : {}),
      };
    });
    const text = vendors.length
      ? vendors.map((v) => `${v.vendor}/${v.account}: ${v.can.join('; ')}; channels ${v.channels.join(', ')}${v.timezone ? `; time zone ${v.timezone}` : ''}${v.cannot ? `. Cannot ${v.cannot.join('; ')}` : ''}`).join('\n')
      : 'No vendor is configured. Set a vendor\'s credentials (e.g. CLEVERTAP_ACCOUNT_ID and CLEVERTAP_PASSCODE) or start with --sandbox.';
    return { structured: { vendors }, text };
  },
});
