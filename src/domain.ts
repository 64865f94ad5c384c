import { z } from 'zod';

/** Vendors campaign-mcp speaks to; the order is the order results are shown in. */
export const VENDORS = ['clevertap', 'moengage', 'batch', 'altcraft'] as const;
export type VendorId = (typeof VENDORS)[number];
export const VendorIdSchema = z.enum(VENDORS, {
  error: `vendor must be one of: ${VENDORS.join(', ')}`,
});

/** Normalized lifecycle status; every adapter maps its own words onto these and keeps the original. */
export const STATUSES = [
  'draft', 'scheduled', 'running', 'paused', 'stopped', 'completed', 'failed', 'archived', 'unknown',
] as const;
export type Status = (typeof STATUSES)[number];
export const StatusSchema = z.enum(STATUSES, { error: `status must be one of: ${STATUSES.join(', ')}` });

/** Normalized channels; vendor-specific ones that fit none map to `other`. */
export const CHANNELS = ['push', 'email', 'sms', 'webpush', 'inapp', 'whatsapp', 'webhook', 'inbox', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];
export const ChannelSchema = z.enum(CHANNELS, { error: `channel must be one of: ${CHANNELS.join(', ')}` });

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Days outside these years are refused: no campaign lives there, and ISO strings past 9999 stop comparing as dates. */
export const DAY_BOUNDS = { from: '1970-01-01', to: '2199-12-31' } as const;
/** A calendar day as YYYY-MM-DD, checked to be a real date within DAY_BOUNDS. */
export const DaySchema = z
  .string()
  .regex(DAY, { error: 'dates are YYYY-MM-DD, e.g. 2026-11-01' })
  .refine((s) => isRealDay(s), { error: 'not a real calendar date (YYYY-MM-DD)' })
  .refine((s) => s >= DAY_BOUNDS.from && s <= DAY_BOUNDS.to, { error: `dates are between ${DAY_BOUNDS.from} and ${DAY_BOUNDS.to}` });

/** True when `s` (YYYY-MM-DD) names a day that exists. */
export function isRealDay(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** One campaign as listed: small on purpose, the model pays for every field. */
export const CampaignSummarySchema = z.object({
  vendor: VendorIdSchema,
  account: z.string().optional(),
  id: z.string(),
  name: z.string(),
  status: StatusSchema,
  vendor_status: z.string().optional().describe("the vendor's own status word"),
  channel: ChannelSchema,
  created_at: z.string().optional(),
  scheduled_at: z.string().optional(),
  tags: z.array(z.string()).optional(),
});
export type CampaignSummary = z.infer<typeof CampaignSummarySchema>;

/** Longest vendor-supplied strings kept where they enter the domain (a campaign name of 50 MB stays a few hundred characters). */
export const TEXT_LIMITS = { id: 200, name: 300, word: 60, stamp: 40, tag: 80, tags: 30, message: 600 } as const;

/** `s` cut to `max` characters (never inside a surrogate pair), with an ellipsis when cut. */
export function clipText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - 1);
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** A listed campaign with every vendor-supplied string clipped; the listing merge applies it to every adapter. */
export function clipSummary(c: CampaignSummary): CampaignSummary {
  const L = TEXT_LIMITS;
  const out: CampaignSummary = { ...c, id: clipText(c.id, L.id), name: clipText(c.name, L.name) };
  if (c.account !== undefined) out.account = clipText(c.account, L.word);
  if (c.vendor_status !== undefined) out.vendor_status = clipText(c.vendor_status, L.word);
  if (c.created_at !== undefined) out.created_at = clipText(c.created_at, L.stamp);
  if (c.scheduled_at !== undefined) out.scheduled_at = clipText(c.scheduled_at, L.stamp);
  if (c.tags !== undefined) out.tags = c.tags.slice(0, L.tags).map((t) => clipText(t, L.tag));
  return out;
}

/** Profile conditions an audience can use; adapters map these onto the vendor's operators. */
export const PROFILE_OPS = ['equals', 'not_equals', 'contains', 'greater_than', 'less_than', 'exists', 'not_exists'] as const;

/** The vendor-neutral audience: what a person means by "who gets it". */
export const AudienceSchema = z
  .object({
    all_users: z.boolean().optional().describe('target every user (cannot be combined with other criteria)'),
    event: z
      .object({
        name: z.string().min(1).describe('event the user performed, e.g. "Added To Cart"'),
        from: DaySchema.optional().describe('first day of the event window, YYYY-MM-DD'),
        to: DaySchema.optional().describe('last day of the event window, YYYY-MM-DD'),
      })
      .optional(),
    profile: z
      .array(
        z.object({
          field: z.string().min(1).describe('profile property, e.g. "Customer Type"'),
          op: z.enum(PROFILE_OPS),
          value: z.union([z.string(), z.number(), z.boolean()]).optional(),
        }),
      )
      .optional()
      .describe('profile conditions, all of which must hold'),
    segment_id: z.string().min(1).optional().describe("a segment or list id in the vendor's own terms"),
  })
  .refine((a) => a.all_users || a.event || a.profile?.length || a.segment_id, {
    error: 'audience is empty: give all_users: true, an event, profile conditions or a segment_id',
  })
  .refine((a) => !(a.all_users && (a.event || a.profile?.length || a.segment_id)), {
    error: 'all_users cannot be combined with event, profile or segment_id',
  });
export type Audience = z.infer<typeof AudienceSchema>;

/** Message content, as a person drafts it; adapters map it onto the vendor's shape. */
export const ContentSchema = z.object({
  title: z.string().max(500).optional().describe('push title'),
  body: z.string().min(1, { error: 'content.body is required' }).max(100_000).describe('the message: push or sms text, email body (text or HTML)'),
  subject: z.string().max(500).optional().describe('email subject'),
  sender_name: z.string().max(200).optional().describe('email sender name'),
  deep_link: z.string().max(2000).optional().describe('link opened on tap/click'),
  image_url: z.string().max(2000).optional().describe('image for a rich push or email'),
});
export type Content = z.infer<typeof ContentSchema>;

/** One campaign in full: the summary plus what an audit or a person needs, trimmed. */
export const CampaignDetailSchema = CampaignSummarySchema.extend({
  delivery: z.string().optional().describe('one_time, recurring, triggered, ...'),
  audience: z.string().optional().describe('a one-line description of the targeting'),
  content: z.string().optional().describe('an excerpt of the message'),
  control_group: z.boolean().optional(),
  respects_frequency_caps: z.boolean().optional(),
  schedule: z.object({ start: z.string().optional(), end: z.string().optional(), recurrence: z.string().optional() }).optional(),
  updated_at: z.string().optional(),
  bypasses_dnd: z.boolean().optional().describe('sends during do-not-disturb / quiet hours'),
  conversion_goal: z.boolean().optional().describe('a conversion goal is set'),
  throttle_per_minute: z.number().optional().describe('send throttle, messages a minute'),
  links: z.array(z.string()).optional().describe('http(s) links in the content, at most 20'),
  reachable: z.number().optional().describe('users the audience matches now, as the vendor counts them'),
  raw: z.unknown().optional().describe('the vendor record, trimmed; only when raw: true was asked for'),
});
export type CampaignDetail = z.infer<typeof CampaignDetailSchema>;

/** Delivery and engagement counters; every field optional because vendors report different ones. */
export const MetricsSchema = z.object({
  sent: z.number().optional(),
  delivered: z.number().optional(),
  opened: z.number().optional(),
  clicked: z.number().optional(),
  converted: z.number().optional(),
  failed: z.number().optional(),
  bounced: z.number().optional(),
  unsubscribed: z.number().optional(),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export const CampaignReportSchema = z.object({
  vendor: VendorIdSchema,
  account: z.string().optional(),
  id: z.string(),
  available: z.boolean().describe('false when the vendor has no numbers yet (e.g. not completed)'),
  message: z.string().optional(),
  metrics: MetricsSchema.optional(),
  by_platform: z.record(z.string(), MetricsSchema).optional(),
  period: z.object({ from: z.string(), to: z.string() }).optional(),
});
export type CampaignReport = z.infer<typeof CampaignReportSchema>;

export const ReachEstimateSchema = z.object({
  vendor: VendorIdSchema,
  account: z.string().optional(),
  channel: ChannelSchema,
  estimated_reach: z.number(),
  by_platform: z.record(z.string(), z.number()).optional(),
  note: z.string().optional(),
});
export type ReachEstimate = z.infer<typeof ReachEstimateSchema>;

/** Newest first by instant (scheduled, else created; none sorts last); ties broken by vendor, account, id. */
export function compareNewestFirst(a: CampaignSummary, b: CampaignSummary): number {
  const t = (c: CampaignSummary) => Date.parse(c.scheduled_at ?? c.created_at ?? '') || -Infinity;
  const ta = t(a);
  const tb = t(b);
  if (ta !== tb) return ta < tb ? 1 : -1;
  if (a.vendor !== b.vendor) return a.vendor < b.vendor ? -1 : 1;
  if ((a.account ?? '') !== (b.account ?? '')) return (a.account ?? '') < (b.account ?? '') ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
