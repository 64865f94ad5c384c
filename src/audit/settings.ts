import { carriers, field } from './fields.js';
import { finding, type AuditItem, type Check, type Finding } from './types.js';

/** A throttle this many times the account's median is flagged. */
export const THROTTLE_FACTOR = 3;
/** The median means little below this many campaigns with a throttle. */
export const THROTTLE_MIN_PEERS = 3;

const withDetail = (check: Check, items: readonly AuditItem[]) => items.filter((i) => i.detail && check.vendors[i.summary.vendor]);

/**
 * Reads detail.respects_frequency_caps (CleverTap respect_frequency_caps, MoEngage
 * delivery_controls.ignore_frequency_capping). Limits: Batch `capping` is a per-campaign cap, not a
 * bypass of the app's pressure rules (which its API does not expose); Altcraft has no such field.
 */
export const frequencyCapBypass: Check = {
  id: 'frequency_cap_bypass', severity: 'high', needsDetail: true, vendors: carriers('frequency_caps'),
  reads: 'whether the campaign obeys the account-wide frequency caps',
  unsupported: "the vendor's API does not say whether a campaign obeys account-wide frequency caps",
  run(items) {
    return withDetail(this, items).filter((i) => i.detail!.respects_frequency_caps === false).map((i) => {
      const v = i.summary.vendor;
      const value = v === 'moengage' ? 'true' : 'false';
      return finding(this, i, `${field('frequency_caps', v)}: ${value}`, 'Turn frequency capping back on unless this message must reach everyone (e.g. a transactional alert).');
    });
  },
};

/** Reads detail.bypasses_dnd (MoEngage delivery_controls.bypass_dnd). Limits: other vendors expose no per-campaign quiet-hours switch. */
export const dndBypass: Check = {
  id: 'dnd_bypass', severity: 'high', needsDetail: true, vendors: carriers('dnd'),
  reads: 'whether the campaign sends through do-not-disturb / quiet hours',
  unsupported: "the vendor's campaign data has no do-not-disturb / quiet-hours setting",
  run(items) {
    return withDetail(this, items).filter((i) => i.detail!.bypasses_dnd === true)
      .map((i) => finding(this, i, `${field('dnd', i.summary.vendor)}: true`, 'Respect DND / quiet hours unless the message is time-critical.'));
  },
};

/**
 * Reads detail.control_group (CleverTap control_group, MoEngage campaign or global control group,
 * Altcraft container lcg percent). Limits: Batch has none in its API; an Altcraft mailing's group lives on its container.
 */
export const noControlGroup: Check = {
  id: 'no_control_group', severity: 'low', needsDetail: (s) => s.vendor !== 'altcraft' || s.channel === 'other', vendors: carriers('control_group'),
  reads: 'whether a control group holds users back to measure uplift',
  unsupported: "the vendor's campaign data has no control-group setting",
  run(items) {
    return withDetail(this, items).filter((i) => i.detail!.control_group === false).map((i) => {
      const v = i.summary.vendor;
      const value = v === 'clevertap' ? 'none' : v === 'altcraft' ? '0' : 'false/false';
      return finding(this, i, `${field('control_group', v)}: ${value}`, 'Add a control group (5–10%) so the uplift can be measured.');
    });
  },
};

/** Reads detail.conversion_goal (MoEngage conversion_goal_details.goals). Limits: the other vendors' APIs do not return goals. */
export const noConversionGoal: Check = {
  id: 'no_conversion_goal', severity: 'low', needsDetail: true, vendors: carriers('goal'),
  reads: 'whether a conversion goal is set',
  unsupported: "the vendor's campaign data has no conversion goal",
  run(items) {
    return withDetail(this, items).filter((i) => i.detail!.conversion_goal === false)
      .map((i) => finding(this, i, `${field('goal', i.summary.vendor)}: []`, 'Set a conversion goal (e.g. the purchase event) to judge the campaign.'));
  },
};

/**
 * Reads detail.throttle_per_minute (MoEngage delivery_controls.campaign_throttle_rpm) and compares each
 * with the median of the same account's audited campaigns. Limits: needs THROTTLE_MIN_PEERS campaigns with a throttle.
 */
export const throttleOutlier: Check = {
  id: 'throttle_outlier', severity: 'medium', needsDetail: true, vendors: carriers('throttle'),
  reads: "the send throttle against the account's median",
  unsupported: "the vendor's campaign data has no send throttle",
  run(items) {
    const out: Finding[] = [];
    const groups = new Map<string, AuditItem[]>();
    for (const i of withDetail(this, items)) {
      if (typeof i.detail!.throttle_per_minute !== 'number') continue;
      const key = `${i.summary.vendor}/${i.summary.account ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    }
    for (const group of groups.values()) {
      if (group.length < THROTTLE_MIN_PEERS) continue;
      const sorted = group.map((i) => i.detail!.throttle_per_minute!).sort((a, b) => a - b);
      const median = sorted[Math.floor((sorted.length - 1) / 2)]!; // the lower median: one outlier never sets the norm
      for (const i of group) {
        const rpm = i.detail!.throttle_per_minute!;
        if (median > 0 && rpm > THROTTLE_FACTOR * median) {
          out.push(finding(this, i, `${field('throttle', i.summary.vendor)}: ${rpm} (account median ${median})`, `Lower the throttle toward ${median}/min unless the send really is urgent.`));
        }
      }
    }
    return out;
  },
};
