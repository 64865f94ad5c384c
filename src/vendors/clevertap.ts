import { type Audience, type CampaignDetail, type CampaignReport, type CampaignSummary, type Channel, type ReachEstimate } from '../domain.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { firstFailure } from '../concurrency.js';
import { registerSecret } from '../log.js';
import type { Capabilities, GetOptions, GetResult, ListQuery, ListResult, VendorAdapter } from './vendor.js';
import {
  CLEVERTAP_TARGET_MODE, audienceToWhere, dayToInt, describeWhere, estimateContent, excerpt, mapChannel, mapStatus, parseMetrics,
  reportMessages, resolveRange, scheduledOnToLocal, spanDays, splitWindows, trimRaw, wallToStamp,
} from './clevertap-map.js';
import { LIST_AHEAD_DAYS, LIST_MAX_DAYS, hull, searchPlan } from './clevertap-find.js';
import { joinReport, rowLabels, type Target } from './clevertap-report.js';
import { campaignId, describeCleverTap, envelope, failStatus, notCompleted, secondary, shapeError } from './clevertap-errors.js';
import { CLEVERTAP_REGIONS, filterLocal, projectDigest, type Rec } from './common.js';
import { CLEVERTAP_CREATE_INTERVAL_MS } from './clevertap-write-map.js';
import { CleverTapWriter } from './clevertap-writer.js';

export { CLEVERTAP_REGIONS };

/** Default listing window: the last 30 days ending today (brief; list.json always needs dates, seed 000), plus LIST_AHEAD_DAYS. */
const LIST_DEFAULT_DAYS = 30;
/** Our own guard against a runaway fan-out of windows; not a vendor limit. */
const LIST_MAX_RANGE_DAYS = 1096;
/** Ids remembered from recent list.json answers (id -> scheduled day), so get finds a listed campaign in one request. */
const SEEN_MAX = 20_000;
/** "Three concurrent requests are the max" (notes re-check, api-errors page). */
const MAX_CONCURRENT = 3;
/** create.json "is limited to 1 request per second" (seed 001; the current page says 3, we keep the stricter), with a margin; shared with creates. */
const CREATE_INTERVAL_MS = CLEVERTAP_CREATE_INTERVAL_MS;

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

/**
 * CleverTap adapter. list.json is the source of truth for which campaigns exist (id, name, scheduled_on,
 * status); channel and labels come from message/report.json over the same windows, joined on the
 * documented fields (name and start time). When that endpoint fails the listing still answers names and
 * statuses and says what it could not learn; a channel filter it cannot answer is an error.
 */
export class CleverTapAdapter implements VendorAdapter {
  readonly vendor = 'clevertap' as const;
  readonly account: string;
  readonly project: string;
  readonly timezone: string;
  readonly capabilities = CLEVERTAP_CAPABILITIES;
  readonly writer: CleverTapWriter;
  private readonly base: string;
  private readonly now: () => Date;
  private readonly seen = new Map<string, string>();

  constructor(private readonly options: CleverTapOptions, private readonly http: HttpClient) {
    this.account = options.account;
    this.timezone = options.timezone ?? 'UTC';
    this.base = clevertapBaseUrl(options.region, options.baseUrl);
    this.project = projectDigest(this.vendor, this.base, options.accountId);
    this.now = options.now ?? (() => new Date());
    registerSecret(options.passcode);
    this.writer = new CleverTapWriter({
      account: this.account, accountId: options.accountId, passcode: options.passcode, base: this.base, timezone: this.timezone,
      find: async (id, signal) => (await this.getCampaign(id, {}, signal)).campaign,
    }, http);
  }

  async listCampaigns(query: ListQuery, signal?: AbortSignal): Promise<ListResult> {
    const range = resolveRange(query.from, query.to, this.now(), LIST_DEFAULT_DAYS, LIST_AHEAD_DAYS, this.timezone);
    if (spanDays(range.from, range.to) > LIST_MAX_RANGE_DAYS) throw new InputError(`a CleverTap listing covers at most ${LIST_MAX_RANGE_DAYS} days; narrow from/to`);
    const windows = splitWindows(range.from, range.to, LIST_MAX_DAYS);
    // The first list window that fails fails the listing: the windows still queued behind CleverTap's 3-at-once cap
    // are not sent (a 401 would only come back again from each), and the error is that first one.
    const fan = firstFailure(signal);
    const [lists, reports] = await Promise.all([
      Promise.all(windows.map((w) => this.listWindow(w, fan.signal).catch(fan.fail))),
      Promise.all(windows.map((w) => this.reportWindow(w, fan.signal).catch((err: unknown) => (fan.failed() ? fan.fail(err) : secondary(err, signal))))),
    ]);
    const failed = reports.find((r): r is VendorError => r instanceof VendorError);
    if (failed && query.channel) {
      throw new VendorError({
        vendor: this.vendor, status: failed.status, code: failed.code,
        message: `cannot filter by channel: list.json has no channel and message/report.json failed (${failed.message.replace(/[.\s]+$/, '')})`,
        hint: 'List without the channel filter (channels then show as other), or try again later.',
      });
    }
    const rows = new Map<string, Rec>();
    let unmatched = 0;
    lists.forEach((targets, i) => {
      const report = reports[i];
      if (report instanceof VendorError || !report) return;
      const joined = joinReport(targets, report, this.timezone);
      for (const [id, row] of joined.byId) rows.set(id, row);
      unmatched += joined.unmatched;
    });
    const targets = new Map(lists.flat().filter((t) => !t.local || (t.local.slice(0, 10) >= range.from && t.local.slice(0, 10) <= range.to)).map((t) => [t.id, t]));
    const all = [...targets.values()].map((t) => this.summary(t, rows.get(t.id)));
    const warnings: string[] = [];
    if (failed) {
      const what = failed.status ? `HTTP ${failed.status}: ` : '';
      warnings.push(`channels and labels unknown: message/report.json failed (${what}${failed.message.replace(/[.\s]+$/, '')}); campaigns show channel "other" and no tags${query.query ? ', and the search matched names only' : ''}`);
    }
    if (unmatched > 0) {
      warnings.push(`${unmatched} of ${targets.size} campaigns matched no message/report.json row by name and start time: channel "other", no tags${query.channel ? '; they are left out of the channel filter' : ''}`);
    }
    return { campaigns: filterLocal(all, { ...query, from: undefined, to: undefined }, this.timezone), range, requests: windows.length * 2, ...(warnings.length ? { warnings } : {}) };
  }

  /** Look where the listing saw the id, else forward from the day its epoch id was created, within a bound; say how far. */
  async getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult> {
    const key = String(campaignId(id));
    const looked: Array<{ from: string; to: string }> = [];
    for (const w of searchPlan(Number(key), options, this.now(), this.timezone, this.seen.get(key))) {
      const targets = await this.listWindow(w, signal);
      looked.push(w);
      const target = targets.find((t) => t.id === key);
      if (!target) continue;
      const report = await this.reportWindow(w, signal).catch((err: unknown) => secondary(err, signal));
      const row = report instanceof VendorError ? undefined : joinReport(targets, report, this.timezone).byId.get(key);
      return { campaign: this.detail(target, row, options.raw === true), range: hull(looked) };
    }
    const range = hull(looked);
    throw new VendorError({
      vendor: this.vendor, status: 404, message: `campaign ${id} not found between ${range.from} and ${range.to} (${looked.length} list.json requests)`,
      hint: 'CleverTap finds campaigns only by scheduled date; pass from/to (YYYY-MM-DD) covering the day it was scheduled for.',
    });
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
    const body = { name: 'campaign-mcp reach estimate', estimate_only: true, target_mode: targetMode, ...audienceToWhere(audience, this.now(), this.timezone), ...estimateContent(targetMode), when: 'now' };
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
      const local = scheduledOnToLocal(r.scheduled_on);
      const id = String(r.id);
      if (local) this.remember(id, local.slice(0, 10));
      return { id, name: typeof r.name === 'string' ? r.name : '', ...(local ? { local } : {}), vendor_status: String(r.status ?? ''), raw: r };
    });
  }

  private remember(id: string, day: string): void {
    this.seen.delete(id);
    if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(id, day);
  }

  private async reportWindow(w: { from: string; to: string }, signal?: AbortSignal): Promise<Rec[]> {
    const res = await this.post('/1/message/report.json', { from: String(dayToInt(w.from)), to: String(dayToInt(w.to)) }, signal);
    const messages = reportMessages(envelope(res, 'message/report.json'));
    if (!messages) throw shapeError('message/report.json', 'no list of messages');
    return messages;
  }

  private summary(t: Target, m: Rec | undefined): CampaignSummary {
    const tags = rowLabels(m);
    return {
      vendor: this.vendor, account: this.account, id: t.id, name: t.name, status: mapStatus(t.vendor_status), vendor_status: t.vendor_status,
      channel: mapChannel(m?.channel), ...(t.local ? { scheduled_at: wallToStamp(t.local, this.timezone) } : {}), ...(tags.length ? { tags } : {}),
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
    if (d.scheduled_at) d.schedule = { start: d.scheduled_at };
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
