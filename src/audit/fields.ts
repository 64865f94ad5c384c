import type { VendorId } from '../domain.js';

/**
 * Where each vendor keeps what the checks read, so evidence quotes the vendor's own field name.
 * The value itself always comes from the adapter's mapping of that field (src/vendors/*); a vendor
 * missing from a row does not carry the fact, and the checks that need it say so in not_checked.
 */
export const VENDOR_FIELDS = {
  frequency_caps: { clevertap: 'respect_frequency_caps', moengage: 'delivery_controls.ignore_frequency_capping' },
  dnd: { moengage: 'delivery_controls.bypass_dnd' },
  control_group: {
    clevertap: 'control_group',
    moengage: 'control_group_details.is_campaign_control_group_enabled/is_global_control_group_enabled',
    altcraft: 'audience.lcg.size_formation_settings.percent',
  },
  start: { clevertap: 'scheduled_on', moengage: 'scheduling_details.start_time', batch: 'push_time', altcraft: 'start_at' },
  end: { moengage: 'scheduling_details.expiry_time', batch: 'recurrence.end_date', altcraft: 'active_period.settings.end_at' },
  updated: { moengage: 'updated_at', altcraft: 'update_time' },
  status: { clevertap: 'status', moengage: 'status', batch: 'live/push_time', altcraft: 'state/status' },
  goal: { moengage: 'conversion_goal_details.goals' },
  throttle: { moengage: 'delivery_controls.campaign_throttle_rpm' },
  links: { moengage: 'campaign_content' },
  reach: { moengage: 'reachability_details.count' },
  audience: { clevertap: 'where/segment', moengage: 'segmentation_details', batch: 'targeting', altcraft: 'audience' },
} as const satisfies Record<string, Partial<Record<VendorId, string>>>;

export type FactKey = keyof typeof VENDOR_FIELDS;

/** Altcraft campaign containers (channel `other`) name some facts differently from its mailings. */
const ALTCRAFT_CONTAINER: Partial<Record<FactKey, string>> = { status: 'state', start: 'active_period.settings.start_at', updated: 'updatetime' };
const ALTCRAFT_MAILING: Partial<Record<FactKey, string>> = { status: 'status', start: 'start_schedule.start_time' };

/** The vendor's field name for a fact (falls back to the fact's own name); `channel` tells Altcraft containers from mailings. */
export function field(fact: FactKey, vendor: VendorId, channel?: string): string {
  if (vendor === 'altcraft' && channel) return (channel === 'other' ? ALTCRAFT_CONTAINER : ALTCRAFT_MAILING)[fact] ?? (VENDOR_FIELDS[fact] as Partial<Record<VendorId, string>>).altcraft ?? fact;
  return (VENDOR_FIELDS[fact] as Partial<Record<VendorId, string>>)[vendor] ?? fact;
}

/** The vendors that carry `fact`, as a check's `vendors` set. */
export function carriers(...facts: FactKey[]): Partial<Record<VendorId, true>> {
  const out: Partial<Record<VendorId, true>> = {};
  for (const v of ['clevertap', 'moengage', 'batch', 'altcraft'] as const) {
    if (facts.every((f) => v in VENDOR_FIELDS[f])) out[v] = true;
  }
  return out;
}
