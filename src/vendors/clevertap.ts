import { compareNewestFirst, type Audience, type CampaignDetail, type CampaignReport, type CampaignSummary, type Channel, type ReachEstimate } from '../domain.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { registerSecret } from '../log.js';
import type { Capabilities, GetOptions, GetResult, ListQuery, ListResult, VendorAdapter } from './vendor.js';
import {
  addDay, today, CLEVERTAP_TARGET_MODE, audienceToWhere, dayToInt, describeWhere, estimateContent, excerpt, mapChannel, mapStatus, parseMetrics,
  reportMessages, resolveRange, scheduledOnToLocal, spanDays, splitWindows, trimRaw,
} from './clevertap-map.js';
import { campaignId, describeCleverTap, envelope, failStatus, notCompleted, shapeError } from './clevertap-errors.js';
import { CLEVERTAP_CREATE_INTERVAL_MS } from './clevertap-write-map.js';
import { CleverTapWriter } from './clevertap-writer.js';

/** list.json refuses spans over 31 days, both ends counted (seed 000 "≤ 31 days"; DESIGN reliability rules). */
const LIST_MAX_DAYS = 31;
/** Default listing window: the last 30 days ending today (brief; list.json always needs dates, seed 000), plus LIST_AHEAD_DAYS. */
const LIST_DEFAULT_DAYS = 30;
/** How far back getCampaign looks when no dates are given (there is no get endpoint, notes 1(b)). */
const GET_DEFAULT_DAYS = 180;
/** Listings also look this far ahead so scheduled campaigns are found (scheduled_on is in the future). */
const LIST_AHEAD_DAYS = 30;
/** Ids are epoch seconds at creation (notes 1(g)); plausible ones start the search for get at that day. */
const EPOCH_ID_MIN = 1_300_000_000;
/** Our own guard against a runaway fan-out of windows; not a vendor limit. */
const LIST_MAX_RANGE_DAYS = 1096;
/** "Three concurrent requests are the max" (notes re-check, api-errors page). */
const MAX_CONCURRENT = 3;
/** create.json "is limited to 1 request per second" (seed 001; the current page says 3, we keep the stricter), with a margin; shared with creates. */
const CREATE_INTERVAL_MS = CLEVERTAP_CREATE_INTERVAL_MS;

/** CleverTap regions with their own host (notes 1 Common); eu1 is the default host api.clevertap.com. */
export const CLEVERTAP_REGIONS = ['in1', 'sg1', 'us1', 'aps3', 'mec1', 'eu1'] as const;

/** Base URL for a region; `baseUrl` (proxy, simulator) wins. */
export function clevertapBaseUrl(region?: string, baseUrl?: string): string {
  if (baseUrl) return baseUrl.replace(/\/+$/, '');
  const r = region?.trim().toLowerCase();
  if (!r || r === 'eu1') return 'https://api.clevertap.com';
  if (!(CLEVERTAP_REGIONS as readonly string[]).includes(r)) throw new InputError(`unknown CleverTap region "${region}"; use one of ${CLEVERTAP_REGIONS.join(', ')}`);
  return `https://${r}.api.clevertap.com`;
}

export interface CleverTapOptions {
  /** IANA zone of the account's local times and schedules (default UTC). */
  timezone?: string;
  account: string;
  accountId: string;
  passcode: string;
  region?: string;
  baseUrl?: string;
  now?: () => Date;
}

/** What CleverTap can do: no pause/resume API (notes 1(g)), listing bounded by dates. */
export const CLEVERTAP_CAPABILITIES: Capabilities = {
  list: true,
  search_server_side: false,
  report: true,
  estimate_reach: true,
  channels: ['push', 'email', 'sms', 'webpush', 'whatsapp', 'webhook', 'inbox'],
  date_windowed: { default_days: LIST_DEFAULT_DAYS, max_days: LIST_MAX_DAYS },
};

type Rec = Record<string, unknown>;
type Target = { id: string; name: string; scheduled_at?: string; vendor_status: string; raw: Rec };

/**
 * CleverTap adapter. list.json is the source of truth for which campaigns exist but gives only
 * id/name/scheduled_on/status, so channel and labels come from message/report.json over the same
 * windows; if that [3P] endpoint fails the listing still succeeds with channel `other`, except when a
 * channel filter was asked for, which then fails loudly rather than returning a silently short list.
 */
export class CleverTapAdapter implements VendorAdapter {
  readonly vendor = 'clevertap' as const;
  readonly account: string;
  readonly timezone: string;
  readonly capabilities = CLEVERTAP_CAPABILITIES;
  readonly writer: CleverTapWriter;
  private readonly base: string;
  private readonly now: () => Date;

  constructor(private readonly options: CleverTapOptions, private readonly http: HttpClient) {
    this.account = options.account;
    this.timezone = options.timezone ?? 'UTC';
    this.base = clevertapBaseUrl(options.region, options.baseUrl);
    this.now = options.now ?? (() => new Date());
    registerSecret(options.passcode);
    this.writer = new CleverTapWriter({ account: this.account, accountId: options.accountId, passcode: options.passcode, base: this.base, timezone: this.timezone }, http);
  }

  async listCampaigns(query: ListQuery, signal?: AbortSignal): Promise<ListResult> {
    const range = resolveRange(query.from, query.to, this.now(), LIST_DEFAULT_DAYS, LIST_AHEAD_DAYS);
    if (spanDays(range.from, range.to) > LIST_MAX_RANGE_DAYS) throw new InputError(`a CleverTap listing covers at most ${LIST_MAX_RANGE_DAYS} days; narrow from/to`);
    const windows = splitWindows(range.from, range.to, LIST_MAX_DAYS);
    const lists = windows.map((w) => this.listWindow(w, signal));
    const reports = windows.map((w) => this.reportWindow(w, signal).catch((err: unknown) => err as Error));
    const [targets, messages] = await Promise.all([Promise.all(lists), Promise.all(reports)]);
    const failed = messages.find((m): m is Error => m instanceof Error);
    if (failed && (query.channel || query.query)) {
      throw new VendorError({
        vendor: this.vendor, message: `could not learn campaign channels and labels: message/report.json failed (${failed.message})`,
        hint: 'List without the channel filter or search text; channels then show as other.',
      });
    }
    const byId = new Map<string, Rec>();
    for (const list of messages) if (!(list instanceof Error)) for (const [id, m] of list) byId.set(id, m);
    const seen = new Map<string, CampaignSummary>();
    for (const t of targets.flat()) if (!seen.has(t.id)) seen.set(t.id, this.summary(t, byId.get(t.id)));
    const q = query.query?.toLowerCase();
    const campaigns = [...seen.values()]
      .filter((c) => !c.scheduled_at || (c.scheduled_at.slice(0, 10) >= range.from && c.scheduled_at.slice(0, 10) <= range.to))
      .filter((c) => !query.status || c.status === query.status)
      .filter((c) => !query.channel || c.channel === query.channel)
      .filter((c) => !q || c.name.toLowerCase().includes(q) || (c.tags ?? []).some((t) => t.toLowerCase().includes(q)))
      .sort(compareNewestFirst);
    return { campaigns, range, requests: windows.length * 2 };
  }

  async getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult> {
    const num = campaignId(id);
    const { range, windows } = this.getRange(num, options);
    for (const w of windows) {
      const target = (await this.listWindow(w, signal)).find((t) => t.id === String(num));
      if (!target) continue;
      const message = await this.reportWindow(w, signal).then((m) => m.get(target.id), () => undefined);
      return { campaign: this.detail(target, message, options.raw === true), range };
    }
    throw new VendorError({
      vendor: this.vendor, status: 404, message: `campaign ${id} not found between ${range.from} and ${range.to}`,
      hint: 'CleverTap finds campaigns only by scheduled date; pass from/to (YYYY-MM-DD) covering the day it was scheduled for.',
    });
  }

  /**
   * Where to look for one campaign: the given dates (newest first); else from the day its epoch id was
   * created forward (it is scheduled on or after it); else the last 180 days and the next 30, newest first.
   */
  private getRange(num: number, options: GetOptions): { range: { from: string; to: string }; windows: Array<{ from: string; to: string }> } {
    const now = this.now();
    if (!options.from && !options.to && num >= EPOCH_ID_MIN && num * 1000 <= now.getTime() + 86_400_000) {
      const created = addDay(new Date(num * 1000).toISOString().slice(0, 10), -1);
      const limit = addDay(today(now), LIST_AHEAD_DAYS);
      const end = addDay(created, GET_DEFAULT_DAYS - 1);
      const range = { from: created, to: end < limit ? end : limit };
      return { range, windows: splitWindows(range.from, range.to, LIST_MAX_DAYS) };
    }
    const range = resolveRange(options.from, options.to, now, GET_DEFAULT_DAYS, LIST_AHEAD_DAYS);
    return { range, windows: splitWindows(range.from, range.to, LIST_MAX_DAYS).reverse() };
  }

  async getReport(id: string, signal?: AbortSignal): Promise<CampaignReport> {
    const num = campaignId(id);
    const base = { vendor: this.vendor, account: this.account, id: String(num) };
    try {
      const body = envelope(await this.post('/1/targets/result.json', { id: num }, signal), 'result.json');
      const metrics = parseMetrics(body.result) ?? parseMetrics(body);
      if (!metrics) throw shapeError('result.json', 'no counters in the answer');
      return { ...base, available: true, metrics };
    } catch (err) {
      if (!(err instanceof VendorError) || (err.status ?? 0) >= 500) throw err;
      const pending = notCompleted(err.message);
      if (pending) return { ...base, available: false, message: `Campaign ${num} is ${pending}; CleverTap reports numbers once it has completed.` };
      if (err.status === 404 || /not found|invalid (campaign )?id/i.test(err.message)) {
        throw new VendorError({ vendor: this.vendor, status: 404, code: err.code, message: `campaign ${num} not found`, hint: 'Use an id from list_campaigns.' });
      }
      throw err;
    }
  }

  async estimateReach(channel: Channel, audience: Audience, signal?: AbortSignal): Promise<ReachEstimate> {
    const targetMode = CLEVERTAP_TARGET_MODE[channel];
    if (!targetMode) {
      throw new UnsupportedError(this.vendor, `CleverTap's create API has no target_mode for ${channel}, so it cannot estimate it. It estimates push, email, sms, webpush, whatsapp, webhook and inbox.`);
    }
    const body = { name: 'campaign-mcp reach estimate', estimate_only: true, target_mode: targetMode, ...audienceToWhere(audience, this.now()), ...estimateContent(targetMode), when: 'now' };
    if (body.estimate_only !== true) throw new Error('refusing to call create.json without estimate_only');
    const res = await this.post('/1/targets/create.json', body, signal, { key: `clevertap:${this.options.accountId}:create`, intervalMs: CREATE_INTERVAL_MS });
    const estimates = envelope(res, 'create.json (estimate)').estimates;
    if (!estimates || typeof estimates !== 'object') throw shapeError('create.json (estimate)', 'no estimates object');
    const by_platform: Record<string, number> = {};
    for (const [k, v] of Object.entries(estimates as Rec)) if (typeof v === 'number' && Number.isFinite(v)) by_platform[k] = v;
    const estimated_reach = Object.values(by_platform).reduce((a, b) => a + b, 0);
    return { vendor: this.vendor, account: this.account, channel, estimated_reach, by_platform };
  }

  private async listWindow(w: { from: string; to: string }, signal?: AbortSignal): Promise<Target[]> {
    const res = await this.post('/1/targets/list.json', { from: dayToInt(w.from), to: dayToInt(w.to) }, signal);
    const targets = envelope(res, 'list.json').targets;
    if (!Array.isArray(targets)) throw shapeError('list.json', 'no targets array');
    return targets.map((t: unknown) => {
      const r = (t ?? {}) as Rec;
      if (typeof r.id !== 'number' && typeof r.id !== 'string') throw shapeError('list.json', 'a target without an id');
      const scheduled_at = scheduledOnToLocal(r.scheduled_on);
      return { id: String(r.id), name: typeof r.name === 'string' ? r.name : '', ...(scheduled_at ? { scheduled_at } : {}), vendor_status: String(r.status ?? ''), raw: r };
    });
  }

  private async reportWindow(w: { from: string; to: string }, signal?: AbortSignal): Promise<Map<string, Rec>> {
    const res = await this.post('/1/message/report.json', { from: String(dayToInt(w.from)), to: String(dayToInt(w.to)) }, signal);
    const messages = reportMessages(envelope(res, 'message/report.json'));
    if (!messages) throw shapeError('message/report.json', 'no list of messages');
    const out = new Map<string, Rec>();
    for (const m of messages) {
      const id = m.message_id ?? m.id ?? m.campaign_id ?? m.target_id;
      if (typeof id === 'number' || typeof id === 'string') out.set(String(id), m);
    }
    return out;
  }

  private summary(t: Target, m: Rec | undefined): CampaignSummary {
    const tags = Array.isArray(m?.labels) ? m.labels.filter((l): l is string => typeof l === 'string' && l.length > 0) : typeof m?.labels === 'string' ? m.labels.split(',').map((s) => s.trim()).filter(Boolean) : [];
    return {
      vendor: this.vendor, account: this.account, id: t.id, name: t.name, status: mapStatus(t.vendor_status), vendor_status: t.vendor_status,
      channel: mapChannel(m?.channel), ...(t.scheduled_at ? { scheduled_at: t.scheduled_at } : {}), ...(tags.length ? { tags } : {}),
    };
  }

  private detail(t: Target, m: Rec | undefined, raw: boolean): CampaignDetail {
    const d: CampaignDetail = { ...this.summary(t, m) };
    if (typeof m?.delivery === 'string') d.delivery = m.delivery;
    const audience = m ? describeWhere(m.where, m.segment) : undefined;
    if (audience) d.audience = audience;
    const content = excerpt(m?.content);
    if (content) d.content = content;
    if (m && 'control_group' in m) d.control_group = typeof m.control_group === 'boolean' ? m.control_group : m.control_group != null;
    if (typeof m?.respect_frequency_caps === 'boolean') d.respects_frequency_caps = m.respect_frequency_caps;
    if (t.scheduled_at) d.schedule = { start: t.scheduled_at };
    if (raw) d.raw = trimRaw({ target: t.raw, ...(m ? { message: m } : {}) });
    return d;
  }

  private post(path: string, body: unknown, signal?: AbortSignal, pace?: { key: string; intervalMs: number }): Promise<HttpResponse> {
    return this.http.send({
      vendor: this.vendor, method: 'POST', url: `${this.base}${path}`, kind: 'read', body, signal, ...(pace ? { pace } : {}),
      headers: { 'x-clevertap-account-id': this.options.accountId, 'x-clevertap-passcode': this.options.passcode, 'content-type': 'application/json' },
      concurrency: { key: `clevertap:${this.options.accountId}`, max: MAX_CONCURRENT },
      describe: describeCleverTap,
      classify: failStatus,
    });
  }
}
