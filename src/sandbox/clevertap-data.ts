import { addDays, campaignName, campaignTags, pick, prng } from './sim.js';

/** One seeded CleverTap campaign: what list.json shows plus what report.json and an audit need. */
export interface CtCampaign {
  id: number;
  name: string;
  /** YYYYMMDDHHMM in the account's local time (the sandbox account runs on UTC). */
  scheduled_on: number;
  status: string;
  /** report.json channel word (browser, webhooks, app_inbox, ...). */
  channel: string;
  delivery: string;
  labels: string[];
  where?: Record<string, unknown>;
  segment?: number;
  respect_frequency_caps: boolean;
  control_group: { type: 'campaign'; percentage: number } | null;
  content: { title?: string; subject?: string; body: string };
  stats: { sent: number; viewed: number; clicked: number; converted: number };
}

/** Every list.json status word (seed 000) plus one the adapter has never heard of. */
export const CT_STATUS_WORDS = ['scheduled', 'pending', 'running', 'paused', 'stopped', 'completed', 'awaiting_approval'] as const;
/** report.json channel words the sandbox uses: together they cover every normalized channel. */
export const CT_CHANNEL_WORDS = ['push', 'email', 'sms', 'browser', 'inapp', 'webhooks', 'whatsapp', 'app_inbox', 'web_pop_up', 'web_native_display'] as const;
const DELIVERIES = ['one_time', 'one_time', 'one_time', 'recurring', 'inaction', 'action', 'api'] as const;
const EVENTS = ['Charged', 'App Launched', 'Added To Cart', 'Product Viewed', 'Searched'] as const;
const FIELDS = [['Customer Type', 'equals', 'Platinum'], ['City', 'equals', 'Mumbai'], ['Total Orders', 'greater_than', 3]] as const;

/** YYYYMMDDHHMM of a UTC instant. */
export function toScheduledOn(d: Date): number {
  return Number(d.toISOString().slice(0, 16).replace(/[-T:]/g, ''));
}

/** YYYYMMDD of a UTC instant. */
export function toDayInt(d: Date): number {
  return Math.floor(toScheduledOn(d) / 10_000);
}

function statusFor(rng: () => number, offsetDays: number, delivery: string): string {
  if (offsetDays > 0) return rng() < 0.4 ? 'pending' : rng() < 0.9 ? 'scheduled' : 'awaiting_approval';
  const triggered = delivery !== 'one_time' && delivery !== 'api';
  if (triggered && offsetDays > -150) return rng() < 0.7 ? 'running' : 'paused';
  return rng() < 0.82 ? 'completed' : 'stopped';
}

/** ~320 campaigns over the last 18 months (and the next 30 days), deterministic for a seed and `now`. */
export function seedCleverTapCampaigns(seed: number, now: Date, count = 320): CtCampaign[] {
  const rng = prng(seed);
  const ids = new Set<number>();
  const out: CtCampaign[] = [];
  for (let i = 0; i < count; i++) {
    const offset = Math.floor(rng() * 570) - 540;
    const at = new Date(Math.floor(addDays(now, offset).getTime() / 86_400_000) * 86_400_000 + Math.floor(rng() * 1440) * 60_000);
    let id = Math.floor(at.getTime() / 1000) - Math.floor(rng() * 7 * 86_400);
    while (ids.has(id)) id++;
    ids.add(id);
    const delivery = pick(rng, DELIVERIES);
    const channel = CT_CHANNEL_WORDS[i % CT_CHANNEL_WORDS.length] as string;
    const status = statusFor(rng, offset, delivery);
    const sent = status === 'completed' || status === 'stopped' || status === 'running' || status === 'paused' ? 500 + Math.floor(rng() * 90_000) : 0;
    const viewed = Math.floor(sent * (0.2 + rng() * 0.5));
    const c: CtCampaign = {
      id, name: campaignName(rng, i), scheduled_on: toScheduledOn(at), status, channel, delivery, labels: campaignTags(rng),
      respect_frequency_caps: rng() > 0.1,
      control_group: rng() < 0.6 ? { type: 'campaign', percentage: 5 + Math.floor(rng() * 4) * 5 } : null,
      content: channel === 'email'
        ? { subject: 'Something new for you', body: `<html><body><h1>Hello!</h1><p>${'Our latest offers are waiting. '.repeat(20)}</p></body></html>` }
        : { title: 'Hi there', body: 'Have you seen the special offer?' },
      stats: { sent, viewed, clicked: Math.floor(viewed * (0.05 + rng() * 0.3)), converted: Math.floor(viewed * rng() * 0.05) },
    };
    const r = rng();
    if (r < 0.15) c.segment = 1000 + Math.floor(rng() * 50);
    else if (r < 0.3) c.where = {};
    else {
      const ev = toDayInt(addDays(at, -30));
      c.where = { event_name: pick(rng, EVENTS), from: ev, to: toDayInt(addDays(at, -1)) };
      if (rng() < 0.5) {
        const [name, operator, value] = pick(rng, FIELDS);
        c.where.common_profile_properties = { profile_fields: [{ name, operator, value }] };
      }
    }
    out.push(c);
  }
  ensureEveryStatus(out, toScheduledOn(now));
  plantAuditFindings(out, now);
  return out;
}

/** Give any status word the dice missed to a campaign whose timing fits it. */
function ensureEveryStatus(cs: CtCampaign[], nowOn: number): void {
  for (const word of CT_STATUS_WORDS) {
    if (cs.some((c) => c.status === word)) continue;
    const future = word === 'scheduled' || word === 'pending' || word === 'awaiting_approval';
    const c = cs.find((x) => (future ? x.scheduled_on > nowOn : x.scheduled_on < nowOn) && cs.filter((y) => y.status === x.status).length > 2);
    if (c) c.status = word;
  }
}

/** Campaigns an audit should flag: a duplicate pair, caps bypassed without a control group, a stale schedule. */
function plantAuditFindings(cs: CtCampaign[], now: Date): void {
  const running = cs.filter((c) => c.status === 'running');
  // The duplicate pair shares a channel: the audit flags duplicate names per account and channel.
  const twin = running.find((c, i) => i > 0 && i !== 2 && c.channel === running[0]!.channel);
  if (twin) twin.name = running[0]!.name;
  const bypass = running[2] ?? cs[0];
  if (bypass) Object.assign(bypass, { respect_frequency_caps: false, control_group: null, name: 'Flash Sale Blast – All Users' });
  const stale = cs.find((c) => c.status === 'completed' && c.scheduled_on < toScheduledOn(addDays(now, -45)));
  if (stale) Object.assign(stale, { status: 'scheduled', stats: { sent: 0, viewed: 0, clicked: 0, converted: 0 } });
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const USER_BASE = 120_000;
/** Share of users reachable per target_mode, split over the platform keys create.json reports (seed 001: `{"web":2}`). */
const PLATFORMS: Record<string, Record<string, number>> = {
  push: { android: 0.44, ios: 0.26 },
  notificationinbox: { android: 0.4, ios: 0.24 },
  webpush: { web: 0.25 },
  email: { email: 0.55 },
  sms: { sms: 0.4 },
  whatsapp: { whatsapp: 0.3 },
  webhook: { webhook: 1 },
};

/** A deterministic create.json estimate: event, profile and segment conditions each narrow the base. */
export function simulateEstimate(targetMode: string, where: Record<string, unknown> | undefined, segment: number | undefined): Record<string, number> {
  let share = 1;
  if (segment !== undefined) share *= 0.05 + (hash(`seg:${segment}`) % 30) / 100;
  if (where && typeof where.event_name === 'string') {
    const days = typeof where.from === 'number' && typeof where.to === 'number'
      ? Math.max(1, (Date.parse(dayIso(where.to)) - Date.parse(dayIso(where.from))) / 86_400_000 + 1) : 30;
    share *= (0.1 + (hash(`ev:${where.event_name}`) % 40) / 100) * Math.min(1, 0.3 + days / 90);
  }
  const fields = (where?.common_profile_properties as { profile_fields?: unknown[] } | undefined)?.profile_fields ?? [];
  for (const f of fields) share *= 0.2 + (hash(`pf:${JSON.stringify(f)}`) % 60) / 100;
  const out: Record<string, number> = {};
  for (const [platform, p] of Object.entries(PLATFORMS[targetMode] ?? {})) {
    const n = Math.round(USER_BASE * share * p);
    if (n > 0) out[platform] = n;
  }
  return out;
}

function dayIso(n: number): string {
  const s = String(n);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T00:00:00Z`;
}
