import type { CampaignSummary, Status } from '../domain.js';
import { carriers, field } from './fields.js';
import { daysSince, finding, type AuditItem, type Check } from './types.js';

/** A schedule this long past is stale, not merely about to start (vendors start sends a little late). */
export const STALE_GRACE_DAYS = 1;
/** Paused without a change for this long is "a long time". */
export const LONG_PAUSED_DAYS = 30;

const day = (iso: string) => iso.slice(0, 16);
const start = (i: AuditItem) => i.detail?.schedule?.start ?? i.summary.scheduled_at;

/** Batch has no "sent" state: a live one-time campaign whose push_time passed is called completed by the clock alone. */
function batchClockCompleted(s: CampaignSummary, statuses: readonly Status[]): boolean {
  return statuses.includes('scheduled') && s.vendor === 'batch' && s.status === 'completed' && s.vendor_status === 'live' && !!s.scheduled_at;
}

/**
 * Reads the status and start time from the listing: still `scheduled` a day after its start. For Batch,
 * whose status for a past push_time is inferred from the clock, it also reads the campaign's statistics
 * (campaigns/stats) of live one-time campaigns listed completed: no rows means nothing was ever sent.
 * Limits: a vendor that keeps a missed schedule under another status word is not caught.
 */
export const staleSchedule: Check = {
  id: 'stale_schedule', severity: 'medium', needsDetail: false, vendors: carriers('start'),
  reads: 'status and start time (Batch: also its statistics)',
  unsupported: 'the vendor lists no start time',
  extraScope: batchClockCompleted,
  needsReport: batchClockCompleted,
  run(items, env) {
    return items.flatMap((i) => {
      const s = i.summary;
      const at = start(i);
      const ago = daysSince(at, env.now);
      if (!at || ago === undefined || ago < STALE_GRACE_DAYS) return [];
      const when = `${field('start', s.vendor, s.channel)}: ${day(at)} (${Math.floor(ago)} days ago)`;
      if (s.status === 'scheduled') {
        return [finding(this, i, `${field('status', s.vendor, s.channel)}: ${s.vendor_status ?? s.status}; ${when}`, 'Reschedule it to a future time, or archive it if it is no longer wanted.')];
      }
      if (s.vendor === 'batch' && i.report && i.report.available === false) {
        return [finding(this, i, `${when}; campaigns/stats: no rows (nothing sent)`, 'Check why it never sent (targeting, certificates); relaunch or delete it.')];
      }
      return [];
    });
  },
};

/** Reads status and detail.schedule.end (MoEngage expiry_time, Batch recurrence.end_date, Altcraft end_at). Limits: CleverTap lists no end. */
export const pastExpiry: Check = {
  id: 'past_expiry', severity: 'medium', needsDetail: (s) => s.status === 'running', vendors: carriers('end'),
  reads: 'status and end / expiry time',
  unsupported: "the vendor's campaign data has no end time",
  run(items, env) {
    return items.filter((i) => i.summary.status === 'running' && i.detail).flatMap((i) => {
      const end = i.detail!.schedule?.end;
      const ago = daysSince(end, env.now);
      if (!end || ago === undefined || ago <= 0) return [];
      return [finding(this, i, `${field('status', i.summary.vendor, i.summary.channel)}: ${i.summary.vendor_status ?? 'running'}; ${field('end', i.summary.vendor)}: ${day(end)} (${Math.ceil(ago)} days ago)`, 'Stop it, or extend the end date on purpose.')];
    });
  },
};

/**
 * Reads paused campaigns (whatever the status filter) and detail.updated_at (MoEngage updated_at, Altcraft
 * update_time): unchanged for LONG_PAUSED_DAYS. Limits: assumes the vendor records the pause as a change;
 * CleverTap and Batch give no time of the last change.
 */
export const longPaused: Check = {
  id: 'long_paused', severity: 'low', needsDetail: (s) => s.status === 'paused', vendors: carriers('updated'),
  reads: 'paused campaigns and the time of their last change',
  unsupported: "the vendor's campaign data has no time of the last change",
  extraScope: (s) => s.status === 'paused',
  run(items, env) {
    return items.filter((i) => i.summary.status === 'paused' && i.detail).flatMap((i) => {
      const ago = daysSince(i.detail!.updated_at, env.now);
      if (ago === undefined || ago < LONG_PAUSED_DAYS) return [];
      const v = i.summary.vendor;
      return [finding(this, i, `${field('status', v, i.summary.channel)}: ${i.summary.vendor_status ?? 'paused'}; ${field('updated', v, i.summary.channel)}: ${day(i.detail!.updated_at!)} (${Math.floor(ago)} days ago)`, 'Resume it if it is still wanted, otherwise stop or archive it.')];
    });
  },
};
