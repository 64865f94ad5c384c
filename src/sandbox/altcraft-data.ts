import { addDays, campaignName, campaignTags, pick, prng } from './sim.js';

/** A campaign container as scampaigns/list returns it (seed 004), trimmed of the empty id lists. */
export interface SimScampaign {
  id: number;
  is_delete: boolean;
  createtime: string;
  updatetime: string;
  updated_user: string;
  name: string;
  description: string;
  tags: string[];
  state: 'cloning' | 'inactive' | 'waiting' | 'active' | 'completed' | 'deleted';
  audience: {
    state: string;
    seg_id: number;
    list_id: number;
    extension_conf: Record<string, { ids: number[] }>;
    lcg: { ignore_entities: Record<string, { ids: number[] }>; size_formation_settings: { limit: number; percent: string } };
  };
  active_period: { settings: { tz: string; start_at?: string; end_at?: string }; history: { start?: string; stop?: string } };
  control_group_counter: number;
  marketing_activities_counter: number;
  refresh_data: { state: string; progress: number; task_start_date: string; task_end_date: string };
  group_id: number;
  groups_id: number[];
  groups: Array<{ id: number; name: string }>;
  attributes: Record<string, string>;
}

/** A mailing as campaigns/get returns it; `status` and `is_completed` also feed campaigns/get_status ([U] field set). */
export interface SimMailing {
  id: number;
  name: string;
  type: 'broadcast' | 'regular' | 'trigger';
  send_channel: 'email' | 'sms' | 'push' | 'telegram';
  is_active: boolean;
  is_completed: boolean;
  status: 'Inactive' | 'Active' | 'Sending' | 'Completed' | 'Error';
  create_time: string;
  update_time: string;
  updated_user: string;
  ui_tags: string[];
  data_type: 'list' | 'segment';
  data_id: number;
  resource_id: number;
  start_schedule?: { type: 'once' | 'daily' | 'weekly'; start_time: string };
  content: Array<{ channel: string; subject?: string; html?: string; text?: string }>;
}

/** A dynamic segment with per-channel counters, as segments/get_counters reports them. */
export interface SimSegment {
  id: number;
  list_id: number;
  name: string;
  counters: Array<{ channel: string; status: { subscribed_sendable: number; unconfirmed_sendable: number } }>;
}

/** Everything the Altcraft simulator serves. */
export interface AltcraftTruth {
  scampaigns: SimScampaign[];
  mailings: SimMailing[];
  segments: SimSegment[];
}

/** Enough containers and mailings that a 100-item page size needs several pages of each. */
const SCAMPAIGNS = 150;
const MAILINGS = 264;
const STATES: SimScampaign['state'][] = ['cloning', 'inactive', 'waiting', 'active', 'completed', 'deleted'];
const USERS = ['anna.k', 'd.petrov', 'marketing-bot', 'olga'];
const noIds = () => ({ workflows: { ids: [] }, triggers: { ids: [] }, broadcasts: { ids: [] }, regulars: { ids: [] }, abns: { ids: [] }, placements: { ids: [] } });

/** `+03:00` wall time for an instant, the way Altcraft writes active_period times for Europe/Moscow. */
export function moscow(d: Date): string {
  return new Date(d.getTime() + 3 * 3_600_000).toISOString().slice(0, 23) + '+03:00';
}

/** Deterministic, realistic data relative to `now`: 150 containers, 264 mailings, 8 segments over 18 months. */
export function seedAltcraft(seed: number, now: Date): AltcraftTruth {
  const rng = prng(seed);
  const at = (daysAgo: number) => addDays(now, -daysAgo - rng());
  const segments: SimSegment[] = Array.from({ length: 8 }, (_, i) => ({
    id: 101 + i,
    list_id: 1 + (i % 2),
    name: `Segment ${pick(rng, ['Lapsed 30d', 'High Value', 'New Signups', 'Moscow', 'Cart > 5000'])} #${i + 1}`,
    counters: ['email', 'sms', 'push'].map((channel) => ({
      channel,
      status: { subscribed_sendable: Math.floor(rng() * 50_000), unconfirmed_sendable: Math.floor(rng() * 900) },
    })),
  }));

  const scampaigns: SimScampaign[] = [];
  let id = 0;
  for (let i = 0; i < SCAMPAIGNS; i++) {
    id += 1 + Math.floor(rng() * 3);
    const state = STATES[i % STATES.length]!;
    const created = at(Math.floor(rng() * 540));
    const seg = pick(rng, segments);
    const settings: SimScampaign['active_period']['settings'] = { tz: 'Europe/Moscow' };
    const history: SimScampaign['active_period']['history'] = {};
    const stale = state === 'waiting' && i % 4 === 2;
    if (state === 'waiting') settings.start_at = moscow(stale ? addDays(now, -60 - Math.floor(rng() * 90)) : addDays(now, 1 + Math.floor(rng() * 20)));
    if (state === 'active' || state === 'completed' || (state === 'inactive' && i % 4 === 1)) {
      const start = addDays(created, Math.floor(rng() * 5));
      settings.start_at = moscow(start);
      history.start = moscow(addDays(start, 0.01));
      if (state !== 'active') history.stop = moscow(addDays(start, 3 + rng() * 20));
    }
    if (state === 'completed') settings.end_at = history.stop;
    const name = i % 17 === 9 && scampaigns.length ? scampaigns[scampaigns.length - 3]!.name : campaignName(rng, i);
    scampaigns.push({
      id,
      is_delete: state === 'deleted',
      createtime: created.toISOString(),
      updatetime: addDays(created, rng() * 3).toISOString(),
      updated_user: pick(rng, USERS),
      name,
      description: '',
      tags: campaignTags(rng),
      state,
      audience: {
        state: 'ready',
        seg_id: seg.id,
        list_id: seg.list_id,
        extension_conf: noIds(),
        lcg: { ignore_entities: noIds(), size_formation_settings: { limit: 0, percent: i % 5 === 3 ? '0.00' : pick(rng, ['5.00', '10.00', '15.00']) } },
      },
      active_period: { settings, history },
      control_group_counter: Math.floor(rng() * 4000),
      marketing_activities_counter: 1 + Math.floor(rng() * 4),
      refresh_data: { state: 'completed', progress: 100, task_start_date: created.toISOString(), task_end_date: addDays(created, 0.001).toISOString() },
      group_id: 0,
      groups_id: [0],
      groups: [{ id: 0, name: 'main' }],
      attributes: i % 3 === 0 ? { season: ['spring_2026', 'summer_2026', 'winter_2026'][i % 9 / 3]! } : {},
    });
  }

  const mailings: SimMailing[] = [];
  const CHANNELS: SimMailing['send_channel'][] = ['email', 'email', 'sms', 'push', 'email', 'push', 'sms', 'email', 'push', 'telegram'];
  const STATUSES: SimMailing['status'][] = ['Active', 'Inactive', 'Completed', 'Sending', 'Active', 'Completed', 'Inactive', 'Error'];
  id = 200;
  for (let i = 0; i < MAILINGS; i++) {
    id += 1 + Math.floor(rng() * 4);
    const type = pick(rng, ['broadcast', 'broadcast', 'regular', 'trigger'] as const);
    const status = STATUSES[i % STATUSES.length]!;
    const channel = CHANNELS[i % CHANNELS.length]!;
    const created = at(Math.floor(rng() * 545));
    const future = status === 'Active' && type === 'broadcast' && i % 3 === 0;
    const seg = pick(rng, segments);
    const bySegment = rng() < 0.7;
    const name = campaignName(rng, i);
    const body = `<html><body><h1>${name}</h1><p>Hello {first_name}, ${pick(rng, ['up to 50% off', 'your points are waiting', 'new arrivals are in', 'we miss you'])}. ${'Details inside. '.repeat(30)}</p></body></html>`;
    mailings.push({
      id,
      name,
      type,
      send_channel: channel,
      is_active: status === 'Active' || status === 'Sending',
      is_completed: status === 'Completed',
      status,
      create_time: created.toISOString(),
      update_time: addDays(created, rng() * 2).toISOString(),
      updated_user: pick(rng, USERS),
      ui_tags: campaignTags(rng),
      data_type: bySegment ? 'segment' : 'list',
      data_id: bySegment ? seg.id : seg.list_id,
      resource_id: 1 + Math.floor(rng() * 3),
      ...(type === 'trigger' ? {} : { start_schedule: { type: type === 'regular' ? 'weekly' : 'once', start_time: moscow(future ? addDays(now, 2 + rng() * 10) : addDays(created, rng() * 2)) } as const }),
      content:
        channel === 'email'
          ? [{ channel, subject: `${name}: don't miss it`, html: body }]
          : [{ channel, text: `${name}: ${pick(rng, ['open the app for your offer', 'reply STOP to opt out', 'ends tonight'])}` }],
    });
  }
  return { scampaigns, mailings, segments };
}
