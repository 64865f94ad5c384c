import type { Channel, Status } from '../domain.js';
import { addDays, campaignName, campaignTags, pick } from './sim.js';

/**
 * One MEP 1.1 campaign as the simulator keeps it, written from the documents: seed 003's list keys, the
 * get/create fields of notes §3b (targeting, messages), and two undocumented extras only the full mode
 * answers (`labels`, an in-app `landing`).
 */
export interface BatchSimRecord {
  campaign_token: string;
  name: string;
  live: boolean;
  from_api: boolean;
  dev_only: boolean;
  created_date: string;
  push_time?: string;
  local_push_time?: string;
  recurrence?: { end_date?: string; repeat_unit?: string; repeat_frequency?: number };
  trigger?: Record<string, unknown>;
  capping?: number;
  query?: unknown;
  deeplink?: string;
  custom_payload?: string;
  targeting?: Record<string, unknown>;
  messages?: Array<{ language?: string; title?: string; body?: string }>;
  labels?: string[];
  landing?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The keys campaigns/list answers in seed 003's example (the documented-fields-only mode answers no others). */
export const BATCH_LIST_KEYS = [
  'campaign_token', 'from_api', 'dev_only', 'created_date', 'name', 'live', 'push_time', 'deeplink', 'custom_payload',
  'local_push_time', 'recurrence', 'query', 'capping', 'trigger',
] as const;
/** The keys campaigns/{token} answers (notes §3b: the create payload plus the list's keys). */
export const BATCH_GET_KEYS = [...BATCH_LIST_KEYS, 'targeting', 'messages'] as const;

/** One daily row of campaigns/stats (notes §3c). */
export interface BatchStatRow {
  date: string;
  sent: number;
  sent_optins: number;
  direct_open: number;
  influenced_open: number;
  reengaged: number;
  errors: number;
}

/**
 * A seeded campaign: the vendor record plus what it was generated to be, so tests compare the
 * adapter's derivation against intent rather than against itself.
 */
export interface BatchSeedCampaign {
  record: BatchSimRecord;
  expected: { status: Status; channel: Channel };
  stats: BatchStatRow[];
  versions?: Record<string, Omit<BatchStatRow, 'date'>>;
}

type Kind = 'done' | 'scheduled' | 'recurring' | 'recurring_ended' | 'trigger' | 'draft' | 'stopped' | 'stale';
const EXPECTED: Record<Kind, Status> = {
  done: 'completed', scheduled: 'scheduled', recurring: 'running', recurring_ended: 'completed',
  trigger: 'running', draft: 'draft', stopped: 'stopped', stale: 'completed',
};
const FORCED: Kind[] = ['done', 'scheduled', 'recurring', 'recurring_ended', 'trigger', 'draft', 'stopped', 'stale', 'stale'];
const WEIGHTS: Array<[Kind, number]> = [
  ['done', 0.45], ['scheduled', 0.08], ['recurring', 0.08], ['recurring_ended', 0.05], ['trigger', 0.1], ['draft', 0.11], ['stopped', 0.13],
];
const SEGMENTS = ['NEW', 'ENGAGED', 'ONE_TIME', 'DORMANT', 'IMPORTED'];
const EVENTS = ['e.added_to_cart', 'e.signup', 'e.purchase', 'e.viewed_product'];
const UNITS = ['DAILY', 'WEEKLY', 'MONTHLY'];
const QUERIES: unknown[] = [
  { $or: [{ 'isNear(45.7583907,4.8347867,30km)': true }, { "countForLabel(e.label_data, 'example')": 0 }] },
  { $and: [{ 'c.language': 'fr' }, { 'e.purchase.count': { $gte: 2 } }] },
  { 'u.plan': { $eq: 'premium' } },
];

/** Batch's zone-less UTC timestamp, as campaigns/list shows created_date and push_time. */
export function batchTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

function hex(rng: () => number): string {
  return Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
}

function kindOf(rng: () => number, i: number): Kind {
  if (i < FORCED.length) return FORCED[i]!;
  let r = rng();
  for (const [k, w] of WEIGHTS) if ((r -= w) < 0) return k;
  return 'done';
}

const between = (rng: () => number, lo: number, hi: number) => lo + rng() * (hi - lo);

/** >= 150 MEP campaigns over ~18 months before `now`, deterministic for a given rng. */
export function seedBatchCampaigns(rng: () => number, now: Date, count = 180): BatchSeedCampaign[] {
  const out: BatchSeedCampaign[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kindOf(rng, i);
    let name = i % 23 === 22 && out.length ? out[out.length - 1]!.record.name! : campaignName(rng, i);
    let created: Date;
    let start: Date | undefined;
    const rec: Partial<BatchSimRecord> = {};
    if (kind === 'scheduled') (created = addDays(now, -between(rng, 1, 25))), (start = addDays(now, between(rng, 1, 30)));
    else if (kind === 'draft') {
      created = addDays(now, -between(rng, 0.5, 540));
      if (rng() < 0.5) (created = addDays(now, -between(rng, 0.5, 20))), (start = addDays(now, between(rng, 1, 40)));
    } else if (kind === 'stale') {
      created = addDays(now, -between(rng, 250, 400));
      start = addDays(created, between(rng, 1, 5));
      name = `${name} – Launch`;
    } else if (kind === 'recurring' || kind === 'recurring_ended') {
      created = addDays(now, -between(rng, kind === 'recurring' ? 30 : 120, 540));
      start = addDays(created, 1);
      const end = kind === 'recurring_ended' ? addDays(now, -between(rng, 5, 60)) : rng() < 0.6 ? addDays(now, between(rng, 30, 180)) : undefined;
      rec.recurrence = { repeat_unit: pick(rng, UNITS), repeat_frequency: 1 + Math.floor(rng() * 2), ...(end ? { end_date: batchTime(end) } : {}) };
    } else {
      created = addDays(now, -between(rng, 3, 540));
      start = addDays(created, between(rng, 0, 2));
    }
    if (kind === 'trigger' || (kind === 'stopped' && rng() < 0.25)) rec.trigger = rng() < 0.3 ? {} : { event: pick(rng, EVENTS) };
    else if (kind === 'stopped' && rng() < 0.25) rec.recurrence = { repeat_unit: pick(rng, UNITS), repeat_frequency: 1 };
    const repeats = rec.trigger !== undefined || rec.recurrence !== undefined;
    if (start && !repeats && rng() < 0.15) rec.local_push_time = batchTime(start);
    else if (start) rec.push_time = batchTime(start);
    if (rng() < (repeats ? 0.55 : 0.15)) rec.capping = 1 + Math.floor(rng() * 3);
    const inapp = i === 9 || i === 10 || rng() < 0.06;
    if (inapp) rec.landing = { theme: 'banner', title: name, body: `<p><b>${name}</b>: tap to see what is new.</p>` };
    const tags = rng() < 0.4 ? campaignTags(rng) : [];
    if (tags.length) rec.labels = tags;
    if (rng() < 0.3) rec.query = pick(rng, QUERIES);
    const r = rng();
    const targeting = r < 0.25 ? undefined : r < 0.35 ? { custom_audiences: ['vip_list_2025'] } : { segments: [pick(rng, SEGMENTS), pick(rng, SEGMENTS)].filter((s, j, a) => a.indexOf(s) === j) };
    const record: BatchSimRecord = {
      campaign_token: hex(rng),
      from_api: rng() < 0.3,
      dev_only: rng() < 0.08,
      created_date: batchTime(created),
      name,
      live: !(kind === 'draft' || kind === 'stopped'),
      ...rec,
      ...(rng() < 0.3 ? { deeplink: 'myapp://promo' } : {}),
      ...(targeting ? { targeting } : {}),
      messages: [{ language: 'en', title: name.split(' – ')[0]!, body: `${name}: don't miss out, open the app today.` }],
    };
    const sent = kind !== 'draft' && kind !== 'scheduled' && kind !== 'stale' && !(kind === 'stopped' && rng() < 0.3);
    const stats = sent && start ? statRows(rng, start, now, repeats ? 3 + Math.floor(rng() * 12) : 1 + Math.floor(rng() * 2)) : [];
    const seed: BatchSeedCampaign = { record, expected: { status: EXPECTED[kind], channel: inapp ? 'inapp' : 'push' }, stats };
    if (stats.length && kind === 'done' && rng() < 0.1) seed.versions = { a: splitRow(stats, 0.5), b: splitRow(stats, 0.5) };
    out.push(seed);
  }
  return out;
}

function statRows(rng: () => number, start: Date, now: Date, n: number): BatchStatRow[] {
  const rows: BatchStatRow[] = [];
  for (let d = 0; d < n; d++) {
    const day = addDays(start, d);
    if (day.getTime() > now.getTime()) break;
    const sent = 500 + Math.floor(rng() * 60_000);
    const direct = Math.floor(sent * between(rng, 0.01, 0.06));
    rows.push({
      date: day.toISOString().slice(0, 10),
      sent,
      sent_optins: Math.floor(sent * between(rng, 0.5, 0.9)),
      direct_open: direct,
      influenced_open: Math.floor(sent * between(rng, 0.01, 0.04)),
      reengaged: Math.floor(direct * between(rng, 0, 0.1)),
      errors: Math.floor(sent * between(rng, 0, 0.01)),
    });
  }
  return rows;
}

function splitRow(rows: BatchStatRow[], share: number): Omit<BatchStatRow, 'date'> {
  const sum = (k: keyof Omit<BatchStatRow, 'date'>) => Math.floor(rows.reduce((n, r) => n + r[k], 0) * share);
  return {
    sent: sum('sent'), sent_optins: sum('sent_optins'), direct_open: sum('direct_open'),
    influenced_open: sum('influenced_open'), reengaged: sum('reengaged'), errors: sum('errors'),
  };
}
