import type { WriteCapabilities } from './vendor.js';

/** What a writer can do, in short lines for list_vendors (e.g. "send push, sms by identity, email (≤ 1000 a request)"). */
export function writeSummary(caps: WriteCapabilities): string[] {
  const out: string[] = [];
  if (caps.create.length) out.push(`create ${caps.create.join(', ')}`);
  const s = caps.send;
  if (s.channels.length) {
    out.push(`send ${s.channels.join(', ')} by ${s.id_types.join(', ')} (≤ ${s.batch_size} a request${s.needs_campaign_id ? '; needs campaign_id' : ''})`);
  }
  if (caps.status.length) out.push(`set status: ${caps.status.join(', ')}`);
  return out;
}
