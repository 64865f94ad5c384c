import { addDays, campaignName, campaignTags, pick, prng } from './sim.js';

/** One campaign exactly as v1 campaigns/search returns it; the fields the simulator filters on are typed. */
export interface MoeSimCampaign {
  campaign_id: string;
  status: string;
  channel: 'PUSH' | 'EMAIL' | 'SMS';
  campaign_delivery_type: 'ONE_TIME' | 'PERIODIC' | 'EVENT_TRIGGERED';
  created_by: string;
  created_at: string;
  updated_at: string;
  sent_time?: string;
  basic_details: { name: string; tags: string[]; [k: string]: unknown };
  scheduling_details: { start_time?: string; expiry_time?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** campaign-stats truth for one campaign: the `data[<id>]` entry and the totals an adapter must report. */
export interface MoeSimStats {
  entry: unknown[];
  totals: { sent: number; failed: number; opened: number; clicked: number };
  /** Days (YYYY-MM-DD) during which the campaign sent. */
  first: string;
  last: string;
}

/** The seeded workspace: campaigns, their stats, and meta reachability for scheduled ones. */
export interface MoeSimData {
  campaigns: MoeSimCampaign[];
  stats: Map<string, MoeSimStats>;
  reach: Map<string, { count: number; last_updated_time: string }>;
}

const COVER = ['Sent', 'Active', 'Scheduled', 'Paused', 'Stopped', 'Archived', 'Draft'] as const;
const WEIGHTS: ReadonlyArray<[string, number]> = [['Sent', 30], ['Active', 20], ['Scheduled', 12], ['Paused', 8], ['Stopped', 10], ['Archived', 10], ['Draft', 10]];
const CHANNELS = ['PUSH', 'EMAIL', 'SMS'] as const;
const COUNT = 170;
const EVENTS = ['Added To Cart', 'Product Viewed', 'Checkout Started', 'App Opened', 'Order Placed'];
const CREATORS = ['priya.shah@shop.example', 'tom.becker@shop.example', 'ana.lima@shop.example'];
const LOCALES = ['fr', 'de', 'es', 'hi'];
const GREET: Record<string, string> = { default: 'Hi', fr: 'Bonjour', de: 'Hallo', es: 'Hola', hi: 'Namaste' };

/** Deterministic campaigns over 18 months before `now`, every status and channel, some an audit should flag. */
export function seedMoEngage(seed: number, now: Date): MoeSimData {
  const rng = prng(seed);
  const data: MoeSimData = { campaigns: [], stats: new Map(), reach: new Map() };
  const hex = () => Array.from({ length: 24 }, () => Math.floor(rng() * 16).toString(16)).join('');
  for (let i = 0; i < COUNT; i++) {
    let status: string = i < 21 ? COVER[i % 7]! : i < 23 ? 'Sending' : i === 23 ? 'Scheduled' : i === 24 ? 'Active' : weighted(rng);
    const channel = i < 21 ? CHANNELS[Math.floor(i / 7)]! : i === 24 ? 'PUSH' : rng() < 0.42 ? 'PUSH' : rng() < 0.66 ? 'EMAIL' : 'SMS';
    const recurring = status === 'Active' || status === 'Paused' || (i >= 21 && (status === 'Stopped' || status === 'Sent') && rng() < 0.3);
    const type = recurring ? (rng() < 0.5 ? 'PERIODIC' : 'EVENT_TRIGGERED') : 'ONE_TIME';
    const ageDays = i === 23 ? 50 : status === 'Scheduled' ? rng() * 20 : status === 'Sending' ? rng() * 3 : 1 + rng() * 545;
    const created = addDays(now, -ageDays);
    let start: Date | undefined = addDays(created, rng() * 3);
    let sent: Date | undefined;
    let expiry: Date | undefined = recurring ? addDays(start, 90 + rng() * 300) : undefined;
    if (status === 'Scheduled') start = i === 23 ? addDays(now, -40) : addDays(now, 1 + rng() * 30);
    else if (status === 'Sending') start = sent = new Date(now.getTime() - rng() * 90 * 60_000);
    else if (status === 'Draft') start = expiry = undefined;
    else {
      if (start > now) start = created;
      if (status === 'Sent' && recurring) expiry = addDays(start, 10 + rng() * 40);
      if (expiry && expiry > now && status === 'Sent') status = 'Active';
      if (status === 'Active' && expiry && expiry < now) expiry = addDays(now, 30 + rng() * 200);
      const lastRun = status === 'Active' ? addDays(now, -rng() * 3) : expiry && expiry < now ? expiry : addDays(start, rng() * 20);
      if (status !== 'Stopped' || recurring) sent = recurring ? (lastRun < now ? lastRun : now) : start;
    }
    const name = i === 24 ? data.campaigns[1]!.basic_details.name : campaignName(rng, i);
    const c = campaign(rng, { id: hex(), status, channel, type, name, created, start, sent, expiry, now });
    data.campaigns.push(c);
    if (sent) data.stats.set(c.campaign_id, stats(rng, c, (type === 'ONE_TIME' ? sent : start!), sent));
    if (status === 'Scheduled') {
      data.reach.set(c.campaign_id, { count: 500 + Math.floor(rng() * 90_000), last_updated_time: fmt(addDays(now, -rng() * 0.9)) });
    }
  }
  return data;
}

function weighted(rng: () => number): string {
  let r = rng() * WEIGHTS.reduce((n, [, w]) => n + w, 0);
  for (const [s, w] of WEIGHTS) if ((r -= w) < 0) return s;
  return 'Sent';
}

interface Plan {
  id: string; status: string; channel: MoeSimCampaign['channel']; type: MoeSimCampaign['campaign_delivery_type']; name: string;
  created: Date; start?: Date; sent?: Date; expiry?: Date; now: Date;
}

function campaign(rng: () => number, p: Plan): MoeSimCampaign {
  const allUsers = rng() < 0.3;
  const filters = [
    { filter_type: 'user_attributes', data_type: 'string', name: 'city', operator: 'in', value: ['Mumbai', 'Berlin', 'Austin'], case_sensitive: false, negate: false },
    { filter_type: 'actions', action_name: pick(rng, EVENTS), executed: true, execution: { type: 'atleast', count: 1 }, attributes: { filter_operator: 'and', filters: [] } },
    { filter_type: 'custom_segments', id: `seg_${Math.floor(rng() * 900 + 100)}`, name: pick(rng, ['High Value', 'Lapsed 30d', 'VIP']) },
  ].slice(0, 1 + Math.floor(rng() * 3));
  const noControl = rng() < 0.35;
  return {
    campaign_id: p.id, status: p.status, channel: p.channel, campaign_delivery_type: p.type,
    created_by: pick(rng, CREATORS), created_at: fmt(p.created, true), updated_at: fmt(addDays(p.created, rng() * 2), true),
    ...(p.sent && { sent_time: fmt(p.sent) }),
    basic_details: {
      name: p.name, content_type: rng() < 0.8 ? 'PROMOTIONAL' : 'TRANSACTIONAL', team: 'growth', tags: campaignTags(rng),
      ...(p.channel === 'PUSH' && { platforms: ['ANDROID', 'IOS'] }), ...(p.channel === 'EMAIL' && { user_attribute_identifier: 'MOE_EMAIL_ID' }),
    },
    segmentation_details: {
      is_all_user_campaign: allUsers, send_campaign_to_opt_out_users: false,
      included_filters: allUsers ? {} : { filter_operator: rng() < 0.7 ? 'and' : 'or', filters },
      excluded_filters: rng() < 0.3 ? { filter_operator: 'and', filters: [{ filter_type: 'custom_segments', id: 'seg_001', name: 'Unsubscribed' }] } : {},
    },
    control_group_details: {
      is_global_control_group_enabled: !noControl && rng() < 0.5, is_campaign_control_group_enabled: !noControl,
      campaign_control_group_percentage: noControl ? 0 : 5,
    },
    utm_params: {},
    ...(p.channel === 'EMAIL' && { connector: { connector_type: 'SENDGRID', connector_name: 'default' } }),
    campaign_content: content(rng, p),
    conversion_goal_details: { attribution_window_in_hours: 36, goals: [{ goal_name: 'Goal 1', goal_event_name: 'Order Placed', is_primary_goal: true }] },
    scheduling_details: {
      delivery_type: p.type === 'ONE_TIME' ? (p.start ? 'AT_FIXED_TIME' : 'ASAP') : 'AT_FIXED_TIME',
      ...(p.start && { start_time: fmt(p.start).replace(' ', 'T') }), ...(p.expiry && { expiry_time: fmt(p.expiry).replace(' ', 'T') }),
      user_timezone_details: { send_in_user_timezone: false, send_if_user_timezone_has_passed: true },
      ...(p.type === 'PERIODIC' && { periodic_details: { sending_frequency: pick(rng, ['DAILY', 'WEEKLY', 'MONTHLY']), repeat_frequency: 1 } }),
    },
    ...(p.type === 'EVENT_TRIGGERED' && {
      trigger_condition: { included_filters: { filter_operator: 'and', filters: [{ filter_type: 'actions', action_name: pick(rng, EVENTS), execution: { type: 'atleast', count: 1 } }] } },
    }),
    delivery_controls: {
      bypass_dnd: false, ignore_frequency_capping: rng() < 0.15, count_for_frequency_capping: true,
      minimum_delay_between_two_notification_in_hour: 2, campaign_throttle_rpm: 3000,
    },
  };
}

function content(rng: () => number, p: Plan): Record<string, unknown> {
  if (p.channel === 'PUSH') {
    const title = `${p.name.split(' – ')[0]} is on`;
    const message = `{{UserAttribute['First Name']}}, tap to see what's new for you.`;
    return { locales: ['default'], content: { push: { android: { title, message, default_click_action: 'DEEP_LINKING', url: 'shop://home' }, ios: { title, message } } } };
  }
  if (p.channel === 'SMS') return { locales: ['default'], content: { sms: { sender: 'SHOPCO', message: `${p.name}: up to 30% off today. Reply STOP to opt out.` } } };
  const locales = ['default', ...LOCALES.slice(0, 1 + Math.floor(rng() * 2))].slice(0, 3);
  const email = (loc: string) => ({
    subject: `${GREET[loc]}! ${p.name}`, preview_text: 'Picked for you', sender_name: 'Shop Co', from_address: 'news@shop.example',
    reply_to_address: 'care@shop.example', html_content: emailHtml(rng, p.name, loc), attachments: [],
  });
  const body: Record<string, unknown> = { email: email('default') };
  for (const loc of locales.slice(1)) body[loc] = { email: email(loc) };
  return { locales, variation_details: { _id: p.id.slice(0, 20) + '0001' }, content: body };
}

const CSS =
  'body{margin:0;padding:0;background:#f4f4f7;font-family:Helvetica,Arial,sans-serif;color:#222}table{border-collapse:collapse}' +
  '.wrapper{width:100%;background:#f4f4f7}.container{width:600px;margin:0 auto;background:#fff}.header{padding:24px;text-align:center}' +
  '.hero h1{font-size:28px;line-height:34px;margin:0 0 12px}.hero p{font-size:16px;line-height:24px;color:#555}.product td{padding:16px;border-bottom:1px solid #eee}' +
  '.btn{display:inline-block;padding:12px 28px;background:#e4572e;color:#fff;text-decoration:none;border-radius:4px;font-weight:bold}' +
  '.footer{padding:24px;font-size:12px;color:#888;text-align:center}@media only screen and (max-width:620px){.container{width:100%!important}.hero h1{font-size:22px}}';
const ITEMS = ['Linen Shirt', 'Trail Runner 2', 'Ceramic Mug Set', 'Wireless Earbuds', 'Denim Jacket', 'Yoga Mat Pro', 'Desk Lamp', 'Travel Backpack'];

function emailHtml(rng: () => number, name: string, loc: string): string {
  const target = 5_000 + Math.floor(rng() * 15_000);
  let html =
    `<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="viewport" content="width=device-width">` +
    `<title>${name}</title><style>${CSS}</style></head><body><table class="wrapper" role="presentation"><tr><td><table class="container">` +
    `<tr><td class="header"><img src="https://cdn.shop.example/logo.png" alt="Shop Co" width="120"></td></tr>` +
    `<tr><td class="hero"><h1>${GREET[loc]} {{UserAttribute['First Name']}},</h1><p>${name}: handpicked offers are waiting for you this week.</p></td></tr>`;
  for (let n = 0; html.length < target - 700; n++) {
    const item = pick(rng, ITEMS);
    const price = (9 + rng() * 190).toFixed(2);
    html +=
      `<tr class="product"><td><img src="https://cdn.shop.example/p/${n}.jpg" alt="${item}" width="160" style="display:block;border:0">` +
      `<h3 style="margin:8px 0;font-size:18px">${item}</h3><p style="margin:0 0 8px;color:#555">Now $${price} &amp; free returns on orders over $50.</p>` +
      `{% if ProductSet.recommended_${n % 3} %}<p>{{ProductSet.recommended_${n % 3}[0].title}}</p>{% endif %}` +
      `<a class="btn" href="https://shop.example/p/${n}?utm_source=moengage&amp;utm_campaign={{CampaignName}}">Shop now</a></td></tr>`;
  }
  return `${html}<tr><td class="footer">You receive this because you signed up at shop.example. <a href="{{UnsubscribeLink}}">Unsubscribe</a> · ` +
    `Shop Co, 1 Market St, Springfield</td></tr></table></td></tr></table></body></html>`;
}

function stats(rng: () => number, c: MoeSimCampaign, first: Date, last: Date): MoeSimStats {
  const platforms = c.channel === 'PUSH' ? ['android', 'ios'] : [c.channel.toLowerCase()];
  const ab = rng() < 0.25 ? ['Variation 1', 'Variation 2'] : ['all_variations'];
  const cg = c.control_group_details as Record<string, boolean>;
  const totals = { sent: 0, failed: 0, opened: 0, clicked: 0 };
  const block: Record<string, unknown> = {};
  for (const pf of platforms) {
    const variations: Record<string, unknown> = {};
    for (const v of ab) {
      const attempted = 200 + Math.floor(rng() * 50_000);
      const failed = Math.floor(attempted * rng() * 0.03);
      const sent = attempted - failed;
      const impression = Math.floor(sent * (c.channel === 'EMAIL' ? 0.15 + rng() * 0.3 : 0.5 + rng() * 0.4));
      const click = Math.floor(impression * (0.02 + rng() * 0.1));
      Object.assign(totals, { sent: totals.sent + sent, failed: totals.failed + failed, opened: totals.opened + impression, clicked: totals.clicked + click });
      variations[v] = {
        performance_stats: { attempted, sent, failed, impression, click, ctr: round((click / Math.max(impression, 1)) * 100), delivery_rate: round((sent / attempted) * 100), failure_rate: round((failed / attempted) * 100) },
        conversion_goal_stats: { 'Goal 1': { conversions: Math.floor(click * 0.1), cvr: 10, uplift: 0 } },
        delivery_funnel: { reachable_users_in_segment: attempted + 40, after_fc: attempted, sent },
        failure_breakdown: {},
      };
    }
    if (cg.is_campaign_control_group_enabled) variations.campaign_control_group = { conversion_goal_stats: { 'Goal 1': { conversions: 12, cvr: 2.1 } } };
    if (cg.is_global_control_group_enabled) variations.global_control_group = { conversion_goal_stats: { 'Goal 1': { conversions: 7, cvr: 1.4 } } };
    block[pf] = { locales: { all_locales: { variations } } };
  }
  return { entry: [{ platforms: block }], totals, first: fmt(first).slice(0, 10), last: fmt(last).slice(0, 10) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** "2024-07-04 20:32:00", or with microseconds like created_at ("2024-07-04 08:00:54.847000"). */
export function fmt(d: Date, micro = false): string {
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}${micro ? `.${s.slice(20, 23)}000` : ''}`;
}
