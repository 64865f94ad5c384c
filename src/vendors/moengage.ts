import { randomUUID } from 'node:crypto';
import { compareNewestFirst, isRealDay, type CampaignReport, type CampaignSummary } from '../domain.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { registerSecret } from '../log.js';
import { MOENGAGE_DATA_CENTERS, budgetWarning, filterLocal, projectDigest, sendClassified, type PageBudget } from './common.js';
import {
  MOENGAGE_CHANNEL_FILTER, MOENGAGE_STATUS_FILTER, campaignId, moeTime, obj, str, toDetail, toSummary, trimRaw, type Obj,
} from './moengage-map.js';
import { sumStats } from './moengage-stats.js';
import { classifyMoe, describeMoeError, noteRateHeaders, notFound, shapeError, unreadable } from './moengage-errors.js';
import type { Capabilities, GetOptions, GetResult, ListQuery, ListResult, VendorAdapter } from './vendor.js';
import { MoEngageWriter } from './moengage-writer.js';

/** campaigns/search `limit` maximum (seed 002: "The maximum limit is 15"). */
const PAGE_LIMIT = 15;
/** search, meta, status: 10/s, 100/min and 6000/h per workspace (notes §2 Common, rate-limits.mdx); paced at 115 ms so network jitter stays under 10/s. */
const SEARCH_PACE_MS = 115;
const SEARCH_WINDOWS = [{ limit: 100, ms: 60_000 }, { limit: 6_000, ms: 3_600_000 }] as const;
/** campaign-stats: 100/min per workspace (notes §2 Common), paced evenly. */
const STATS_PACE_MS = 600;
/** campaign-stats: start_date..end_date spans at most 30 days (notes §2 (c)). */
const STATS_SPAN_DAYS = 30;
/**
 * One listing reads at most 90 pages (1,350 campaigns): the 100/min search window (notes §2 Common) keeps
 * 10 requests for other calls, and 30 s bounds a fan-out. Past either it stops and says so (warnings).
 */
export const MOENGAGE_LIST_BUDGET: PageBudget = { maxPages: 90, deadlineMs: 30_000 };
/**
 * `created_date` bounds the search by creation, but from/to mean the scheduled day: a campaign may be
 * created before it is scheduled, so from_date reaches back this far (not a vendor limit) and says so.
 */
export const MOENGAGE_CREATED_LOOKBACK_DAYS = 90;

/** Kept importable from the adapter module, where tests and callers have always found it. */
export { describeMoeError } from './moengage-errors.js';

/** Data centers with a REST host (kept importable here; the list lives in common.ts). */
export { MOENGAGE_DATA_CENTERS } from './common.js';

/** Configuration of one MoEngage workspace. */
export interface MoEngageOptions {
  /** IANA zone of the account's local times and schedules (default UTC). */
  timezone?: string;
  account: string;
  workspaceId: string;
  apiKey: string;
  dataCenter?: string;
  baseUrl?: string;
  /** MOENGAGE_CREATED_BY: the dashboard user's email MoEngage records as a created campaign's creator. */
  createdBy?: string;
  now?: () => Date;
  /** Pages and time one listing may take (default MOENGAGE_LIST_BUDGET). */
  listBudget?: Partial<PageBudget>;
  /** Milliseconds clock for the listing deadline (tests move it). */
  clock?: () => number;
}

/** What MoEngage supports; a reach estimate before a campaign exists is not among it. */
export const MOENGAGE_CAPABILITIES: Capabilities = {
  list: true,
  search_server_side: true,
  report: true,
  estimate_reach: false,
  estimate_reach_alternative:
    'MoEngage has no reach estimate before a campaign exists. For scheduled campaigns, get_campaign shows the reachable count MoEngage computes daily (campaigns/meta reachability_details).',
  channels: ['push', 'email', 'sms'],
};

/** The REST host for a data center ("02", "2", "dc-02" all work); `baseUrl` overrides it. */
export function moengageBaseUrl(dataCenter?: string, baseUrl?: string): string {
  if (baseUrl) return baseUrl.replace(/\/+$/, '');
  const raw = (dataCenter ?? '01').trim().toLowerCase().replace(/^dc[-_ ]?/, '');
  const dc = /^\d$/.test(raw) ? `0${raw}` : raw;
  if (!(MOENGAGE_DATA_CENTERS as readonly string[]).includes(dc)) {
    throw new InputError(`MOENGAGE_DATA_CENTER must be one of ${MOENGAGE_DATA_CENTERS.join(', ')} (got "${dataCenter}")`);
  }
  return `https://api-${dc}.moengage.com`;
}

/**
 * MoEngage read side over the v1 campaigns API. from/to become `created_date` bounds (seed 002's
 * DD-MM-YYYY), widened by MOENGAGE_CREATED_LOOKBACK_DAYS before `from`, and are applied again locally on
 * scheduled_at ?? created_at in the account's days. Name/tag text is filtered locally (server name
 * semantics are undocumented and it cannot match tags and names in one query).
 */
export class MoEngageAdapter implements VendorAdapter {
  readonly vendor = 'moengage' as const;
  readonly account: string;
  readonly project: string;
  readonly timezone: string;
  readonly capabilities = MOENGAGE_CAPABILITIES;
  readonly writer: MoEngageWriter;
  private readonly base: string;
  private readonly ws: string;
  private readonly headers: Record<string, string>;
  private readonly now: () => Date;
  private readonly clock: () => number;
  private readonly budget: PageBudget;

  constructor(options: MoEngageOptions, private readonly http: HttpClient) {
    registerSecret(options.apiKey);
    this.account = options.account;
    this.timezone = options.timezone ?? 'UTC';
    this.ws = options.workspaceId;
    this.base = moengageBaseUrl(options.dataCenter, options.baseUrl);
    this.project = projectDigest(this.vendor, this.base, options.workspaceId);
    this.now = options.now ?? (() => new Date());
    this.clock = options.clock ?? Date.now;
    this.budget = { ...MOENGAGE_LIST_BUDGET, ...options.listBudget };
    const basic = Buffer.from(`${options.workspaceId}:${options.apiKey}`).toString('base64');
    registerSecret(basic);
    this.headers = { authorization: `Basic ${basic}`, 'MOE-APPKEY': options.workspaceId };
    this.writer = new MoEngageWriter({
      account: this.account, timezone: this.timezone, workspaceId: this.ws, base: this.base, headers: this.headers, createdBy: options.createdBy,
      getCampaign: (id, signal) => this.getCampaign(id, { raw: true }, signal),
    }, http);
  }

  async listCampaigns(q: ListQuery, signal?: AbortSignal): Promise<ListResult> {
    for (const d of [q.from, q.to]) if (d !== undefined && !isRealDay(d)) throw new InputError(`"${d}" is not a YYYY-MM-DD date`);
    const fields: Obj = {};
    // Channels the search filter cannot name (web push, in-app, ...) still exist: page unfiltered, filter locally.
    if (q.channel && MOENGAGE_CHANNEL_FILTER[q.channel]) fields.channels = [MOENGAGE_CHANNEL_FILTER[q.channel]];
    const word = q.status && MOENGAGE_STATUS_FILTER[q.status];
    // Both casings: seed 002 gives the filter as search's own words ("For example, Active"), MoEngage's OpenAPI (notes
    // §2(a)) takes UPPERCASE in requests; an exact match on the wrong one answers 200 with nothing. It is an array (any
    // of), so whichever the account matches finds the campaigns, and the answer is filtered locally again anyway.
    if (word) fields.status = [word, word.toUpperCase()];
    const warnings: string[] = [];
    if (q.from || q.to) {
      fields.created_date = {
        ...(q.from && { from_date: dmy(addDay(q.from, -MOENGAGE_CREATED_LOOKBACK_DAYS)) }),
        ...(q.to && { to_date: dmy(addDay(q.to, 1)) }),
      };
      if (q.from) warnings.push(`MoEngage searches by creation date: campaigns created before ${addDay(q.from, -MOENGAGE_CREATED_LOOKBACK_DAYS)} are not listed, even when scheduled from ${q.from}.`);
    }
    const found = new Map<string, CampaignSummary>();
    const started = this.clock();
    let requests = 0;
    let previousFirst: string | undefined;
    for (let page = 1; ; page++) {
      const over = page > this.budget.maxPages ? 'pages' : this.clock() - started >= this.budget.deadlineMs ? 'deadline' : undefined;
      if (over) {
        warnings.push(budgetWarning(requests, found.size, over, 'Narrow with from/to, status or channel.'));
        break;
      }
      const body = { page, limit: PAGE_LIMIT, campaign_fields: fields, ...(q.status === 'archived' && { include_archive_campaigns: true }) };
      const items = await this.search('/core-services/v1/campaigns/search', body, signal);
      requests++;
      const first = items[0] && campaignId(items[0]);
      if (page > 1 && first !== undefined && first === previousFirst) throw shapeError('the same page twice (paging ignored); stopped to avoid a loop');
      previousFirst = first;
      for (const item of items) {
        const s = toSummary(item, this.account, this.timezone);
        if (!s) throw shapeError('a campaign without campaign_id');
        found.set(s.id, s);
      }
      if (items.length < PAGE_LIMIT) break;
    }
    // Archived campaigns only when asked for, as MoEngage's search itself answers (include_archive_campaigns).
    const listed = [...found.values()].filter((s) => q.status !== undefined || s.status !== 'archived');
    return { campaigns: filterLocal(listed, q, this.timezone), requests, ...(warnings.length && { warnings }) };
  }

  async getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult> {
    let item = await this.find(id, '/core-services/v1/campaigns/search', signal);
    const summary = item && toSummary(item, this.account, this.timezone);
    const meta = !summary || summary.status === 'scheduled' ? await this.find(id, '/core-services/v1/campaigns/meta', signal) : undefined;
    item ??= meta;
    const base = summary ?? (item && toSummary(item, this.account, this.timezone));
    if (!item || !base) throw notFound(id);
    const reach = obj(meta?.reachability_details);
    const count = reach?.count;
    const at = moeTime(reach?.last_updated_time, this.timezone)?.slice(0, 10);
    const campaign = toDetail(base, item, typeof count === 'number' ? { count, ...(at && { at }) } : undefined, this.timezone);
    if (options.raw) campaign.raw = trimRaw(item);
    return { campaign };
  }

  /**
   * Stats for one campaign. Window: a one-time campaign with a sent time gets the 30 days from its send
   * (capped at today); anything else the 30 days ending today. Not yet sent => available: false.
   */
  async getReport(id: string, signal?: AbortSignal): Promise<CampaignReport> {
    const item = await this.find(id, '/core-services/v1/campaigns/search', signal);
    const s = item && toSummary(item, this.account, this.timezone);
    if (!item || !s) throw notFound(id);
    const head = { vendor: 'moengage' as const, account: this.account, id };
    if (s.status === 'draft' || s.status === 'scheduled') {
      return { ...head, available: false, message: `The campaign is ${s.vendor_status ?? s.status}; MoEngage reports numbers once it has sent.` };
    }
    const today = this.now().toISOString().slice(0, 10);
    const sent = moeTime(item.sent_time)?.slice(0, 10);
    const oneTime = str(item.campaign_delivery_type)?.toUpperCase() === 'ONE_TIME';
    const from = oneTime && sent && sent <= today ? sent : addDay(today, 1 - STATS_SPAN_DAYS);
    const to = addDay(from, STATS_SPAN_DAYS - 1) < today ? addDay(from, STATS_SPAN_DAYS - 1) : today;
    const body = { start_date: from, end_date: to, attribution_type: 'VIEW_THROUGH', metric_type: 'TOTAL', campaign_ids: [id] };
    const res = obj(await this.post('/core-services/v1/campaign-stats', body, 'stats', signal));
    if (!res) throw shapeError('a list where campaign-stats returns an object');
    const data = obj(res.data);
    if (!data && res.total_campaigns !== 0) throw shapeError('campaign-stats without a data object');
    const sums = data?.[id] === undefined ? undefined : sumStats(data[id]);
    if (!sums) return { ...head, available: false, message: `MoEngage has no stats for this campaign between ${from} and ${to}.`, period: { from, to } };
    return { ...head, available: true, metrics: sums.metrics, by_platform: sums.by_platform, period: { from, to } };
  }

  async estimateReach(): Promise<never> {
    throw new UnsupportedError('moengage', MOENGAGE_CAPABILITIES.estimate_reach_alternative!);
  }

  private async find(id: string, path: string, signal?: AbortSignal): Promise<Obj | undefined> {
    const body = { page: 1, limit: 1, include_archive_campaigns: true, campaign_fields: { id } };
    return (await this.search(path, body, signal)).find((item) => campaignId(item) === id);
  }

  /** One search/meta page: a v1 bare array, or the v5 `{data:{campaigns}}` shape. */
  private async search(path: string, body: Obj, signal?: AbortSignal): Promise<Obj[]> {
    const res = await this.post(path, body, 'search', signal);
    const list = Array.isArray(res) ? res : obj(res.data)?.campaigns;
    if (!Array.isArray(list)) throw shapeError(`${path.split('/').pop()} without a list of campaigns`);
    return list.map((x) => obj(x) ?? {});
  }

  private async post(path: string, body: Obj, group: 'search' | 'stats', signal?: AbortSignal): Promise<Obj | unknown[]> {
    const key = `moengage:${this.ws}:${group}`;
    // The per-minute and per-hour windows live in the HTTP client's pacing, so retries count against them too.
    const res = await sendClassified(this.http, {
      vendor: 'moengage', method: 'POST', url: `${this.base}${path}`, headers: this.headers, kind: 'read',
      body: { request_id: randomUUID(), ...body }, describe: describeMoeError, classify: classifyMoe, signal, hold: key,
      pace: { key, intervalMs: group === 'search' ? SEARCH_PACE_MS : STATS_PACE_MS, ...(group === 'search' ? { windows: SEARCH_WINDOWS } : {}) },
    });
    await noteRateHeaders(this.http, key, res);
    if (res.body === undefined) throw unreadable(res);
    if (!Array.isArray(res.body) && !obj(res.body)) throw shapeError('a JSON value that is neither an object nor a list');
    return res.body as Obj | unknown[];
  }
}

function addDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** YYYY-MM-DD as seed 002's created_date form, DD-MM-YYYY (notes re-check: the adapter sends this on v1). */
function dmy(day: string): string {
  return `${day.slice(8, 10)}-${day.slice(5, 7)}-${day.slice(0, 4)}`;
}
