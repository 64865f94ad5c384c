import { createHash } from 'node:crypto';
import type { CampaignReport, Metrics, Status } from '../domain.js';
import { InputError, UnsupportedError, type VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { registerSecret } from '../log.js';
import { budgetWarning, filterLocal, isObject, num, projectDigest, sendClassified, shapeError, type PageBudget } from './common.js';
import type { Capabilities, GetOptions, GetResult, ListQuery, ListResult, VendorAdapter } from './vendor.js';
import {
  asBatchRecord, BATCH_LIVE_FILTER, BATCH_STATUS, batchAudience, batchContent, batchDelivery, batchRespectsCaps,
  batchSchedule, toBatchSummary, trimRaw, type BatchCampaignRecord,
} from './batch-map.js';
import { BatchWriter } from './batch-writer.js';
import { BATCH_ERRORS, classifyBatch } from './batch-errors.js';

/** Kept importable from the adapter module, where tests and callers have always found them. */
export { BATCH_ERRORS, classifyBatch } from './batch-errors.js';

/** campaigns/list `limit` maximum (seed 003: "Default : 10, Max : 100"). */
export const BATCH_LIST_PAGE_SIZE = 100;
/** Wait at least this long after a 429 (seed 003: "wait for at least 5 seconds before trying again"). */
export const BATCH_MIN_WAIT_AFTER_429_MS = 5000;
/** The one MEP host (seed 003 route; notes §3: no regional hosts found). */
export const BATCH_DEFAULT_BASE_URL = 'https://api.batch.com';
/**
 * One listing reads at most 100 pages (10,000 campaigns) or 30 s (MEP rate limits are [U], notes §3):
 * past either it stops and says so in warnings, rather than hold a fan-out or loop on a server ignoring `from`.
 */
export const BATCH_LIST_BUDGET: PageBudget = { maxPages: 100, deadlineMs: 30_000 };
/** MEP rate limits are undocumented (notes §3 [U]): our own client-side cap and pacing, at most 4 at once and 8 in any second, per app key. */
const BATCH_MAX_CONCURRENT = 4;
const BATCH_PACE = [{ limit: 8, ms: 1000 }] as const;
/** Not a vendor limit: stops paging a server that ignores `from` (100,000 campaigns). */
const MAX_PAGES = 1000;
/** Campaign tokens are hex in every example (seed 003); anything path-breaking is refused before a request. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/** How this adapter is configured: the app key goes in the path, the REST key in X-Authorization. */
export interface BatchOptions {
  /** IANA zone of the account's local times and schedules (default UTC). */
  timezone?: string;
  account: string;
  apiKey: string;
  restApiKey: string;
  baseUrl?: string;
  now?: () => Date;
  /** Pages and time one listing may take (default BATCH_LIST_BUDGET). */
  listBudget?: Partial<PageBudget>;
  /** Milliseconds clock for the listing deadline (tests move it). */
  clock?: () => number;
}

/** What Batch MEP can do; estimate_reach is absent because Batch has no estimate API. */
export const BATCH_CAPABILITIES: Capabilities = {
  list: true,
  search_server_side: false,
  report: true,
  estimate_reach: false,
  estimate_reach_alternative:
    'Batch has no reach estimate API. The Batch dashboard shows an audience estimate; for uploaded custom audiences the CEP audiences/view endpoint gives nb_ids (uploaded ids, not reachable users).',
  channels: ['push', 'inapp'],
};

type Context = { token?: string; stats?: boolean };

/** Batch.com MEP 1.1 (app-scoped push campaigns): list, get, stats. */
export class BatchAdapter implements VendorAdapter {
  readonly vendor = 'batch' as const;
  readonly account: string;
  readonly project: string;
  readonly timezone: string;
  readonly capabilities = BATCH_CAPABILITIES;
  readonly writer: BatchWriter;
  private readonly base: string;
  private readonly now: () => Date;
  private readonly clock: () => number;
  private readonly budget: PageBudget;

  /** After a 429 every request for this app key waits the 5 s, not just the one refused (the key itself is not kept). */
  private readonly holdKey: string;

  constructor(private readonly options: BatchOptions, private readonly http: HttpClient) {
    this.account = options.account;
    this.timezone = options.timezone ?? 'UTC';
    this.base = (options.baseUrl ?? BATCH_DEFAULT_BASE_URL).replace(/\/+$/, '');
    // The app's API key is what names the app (the REST key is the company's).
    this.project = projectDigest(this.vendor, this.base, options.apiKey);
    this.now = options.now ?? (() => new Date());
    this.clock = options.clock ?? Date.now;
    this.budget = { ...BATCH_LIST_BUDGET, ...options.listBudget };
    registerSecret(options.apiKey);
    registerSecret(options.restApiKey);
    this.holdKey = `batch:${createHash('sha256').update(options.apiKey).digest('hex').slice(0, 16)}`;
    this.writer = new BatchWriter({
      account: this.account, timezone: this.timezone, base: this.base, apiKey: options.apiKey, restApiKey: options.restApiKey,
      holdKey: this.holdKey, minWaitAfter429Ms: BATCH_MIN_WAIT_AFTER_429_MS, describe: (s, b, t) => this.describe(s, b, t, {}),
    }, http);
  }

  async listCampaigns(query: ListQuery, signal?: AbortSignal): Promise<ListResult> {
    const possible = new Set<Status>(Object.values(BATCH_STATUS));
    if ((query.status && !possible.has(query.status)) || (query.channel && !this.capabilities.channels.includes(query.channel))) {
      return { campaigns: [], requests: 0 };
    }
    const live = query.status ? BATCH_LIVE_FILTER[query.status] : undefined;
    const seen = new Set<string>();
    const records: BatchCampaignRecord[] = [];
    const warnings: string[] = [];
    const started = this.clock();
    let requests = 0;
    for (let from = 0; ; ) {
      const over = requests >= this.budget.maxPages ? 'pages' : this.clock() - started >= this.budget.deadlineMs ? 'deadline' : undefined;
      if (over) {
        warnings.push(budgetWarning(requests, records.length, over, 'Batch cannot filter by date or text; narrow with status (live) instead.'));
        break;
      }
      const res = await this.get('campaigns/list', { from, limit: BATCH_LIST_PAGE_SIZE, live }, {}, signal);
      requests++;
      const page = this.listBody(res);
      for (const rec of page) {
        if (seen.has(rec.campaign_token)) continue;
        seen.add(rec.campaign_token);
        records.push(rec);
      }
      if (page.length < BATCH_LIST_PAGE_SIZE) break;
      from += page.length;
    }
    const now = this.now();
    const campaigns = filterLocal(records.map((r) => toBatchSummary(r, this.account, now, this.timezone)), query, this.timezone);
    return { campaigns, requests, ...(warnings.length ? { warnings } : {}) };
  }

  async getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult> {
    const token = this.token(id);
    const res = await this.get(`campaigns/${encodeURIComponent(token)}`, {}, { token }, signal);
    if (!isObject(res.body)) throw this.notJson(res, 'campaign');
    const rec = asBatchRecord({ campaign_token: token, ...res.body });
    if (typeof rec === 'string') throw this.shapeError(`the campaign answer is not a campaign (${rec})`);
    const summary = toBatchSummary(rec, this.account, this.now(), this.timezone);
    const caps = batchRespectsCaps(rec);
    const content = batchContent(rec);
    const schedule = batchSchedule(rec, this.timezone);
    return {
      campaign: {
        ...summary,
        delivery: batchDelivery(rec),
        audience: batchAudience(rec),
        ...(content ? { content } : {}),
        ...(caps !== undefined ? { respects_frequency_caps: caps } : {}),
        ...(schedule ? { schedule } : {}),
        ...(options.raw ? { raw: trimRaw(rec) } : {}),
      },
    };
  }

  async getReport(id: string, signal?: AbortSignal): Promise<CampaignReport> {
    const token = this.token(id);
    const res = await this.get(`campaigns/stats/${encodeURIComponent(token)}`, {}, { token, stats: true }, signal);
    if (!isObject(res.body)) throw this.notJson(res, 'stats');
    const detail = res.body.detail ?? [];
    if (!Array.isArray(detail) || !detail.every(isObject)) throw this.shapeError('the stats answer has no detail[] of daily rows');
    const base = { vendor: 'batch' as const, account: this.account, id: token };
    if (detail.length === 0) {
      return { ...base, available: false, message: 'Batch has no statistics for this campaign yet: nothing has been sent (drafts, scheduled campaigns and automations that never fired have none).' };
    }
    const sum = (k: string) => detail.reduce((n, row) => n + (num(row[k]) ?? 0), 0);
    const metrics: Metrics = { sent: sum('sent'), opened: sum('direct_open') + sum('influenced_open'), failed: sum('errors') };
    const days = detail.map((r) => r.date).filter((d): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}/.test(d)).map((d) => d.slice(0, 10)).sort();
    const versions = isObject(res.body.versions) ? Object.keys(res.body.versions) : [];
    return {
      ...base,
      available: true,
      metrics,
      ...(days.length ? { period: { from: days[0]!, to: days[days.length - 1]! } } : {}),
      ...(versions.length ? { message: `A/B test with versions ${versions.join(', ')}; totals shown. Opened = direct + influenced opens.` } : { message: 'Opened = direct + influenced opens.' }),
    };
  }

  async estimateReach(): Promise<never> {
    throw new UnsupportedError('batch', BATCH_CAPABILITIES.estimate_reach_alternative!);
  }

  private token(id: string): string {
    const t = id.trim();
    if (!TOKEN.test(t)) throw new InputError('a Batch campaign id is its campaign_token (letters, digits, - and _), as list_campaigns shows it');
    return t;
  }

  private get(path: string, query: Record<string, string | number | boolean | undefined>, ctx: Context, signal?: AbortSignal): Promise<HttpResponse> {
    return sendClassified(this.http, {
      vendor: 'batch',
      method: 'GET',
      url: `${this.base}/1.1/${encodeURIComponent(this.options.apiKey)}/${path}`,
      headers: { 'x-authorization': this.options.restApiKey, 'content-type': 'application/json' },
      query,
      kind: 'read',
      minWaitAfter429Ms: BATCH_MIN_WAIT_AFTER_429_MS,
      hold: this.holdKey,
      classify: classifyBatch,
      concurrency: { key: this.holdKey, max: BATCH_MAX_CONCURRENT },
      pace: { key: this.holdKey, intervalMs: 0, windows: BATCH_PACE },
      describe: (status, body, text) => this.describe(status, body, text, ctx),
      ...(signal ? { signal } : {}),
    });
  }

  private describe(status: number, body: unknown, text: string, ctx: Context): { message: string; code?: number; hint?: string } {
    const known = BATCH_ERRORS[status] ?? BATCH_ERRORS[status >= 500 ? 500 : 400]!;
    const b = isObject(body) ? body : {};
    const rawCode = b.error_code ?? b.code;
    const code = typeof rawCode === 'number' ? rawCode : known.code;
    const said = [b.error_message, b.message, b.error].find((x): x is string => typeof x === 'string' && x.trim() !== '');
    const hint = known.hint;
    if (ctx.token && status === 404) return { message: `campaign ${ctx.token} not found`, code, hint: 'Use a campaign_token from list_campaigns; each app (iOS, Android, Web) has its own campaigns.' };
    if (status === 403 && ctx.token) {
      const what = ctx.stats ? 'campaign stats' : 'campaign details';
      return { message: `Batch refused (API_MISUSE): ${what} accept Live API keys only`, code, hint: 'Set BATCH_API_KEY to the Live API key (Settings → General), not the Dev key.' };
    }
    const html = body === undefined && /^\s*</.test(text);
    const detail = said ? `: ${this.scrub(said).slice(0, 200)}` : html ? ' (an HTML page instead of JSON)' : '';
    return { message: `${BATCH_ERRORS[status] ? known.name : `HTTP ${status}`}${detail}`, code, ...(hint ? { hint } : {}) };
  }

  private listBody(res: HttpResponse): BatchCampaignRecord[] {
    if (!Array.isArray(res.body)) throw this.notJson(res, 'campaign list');
    return res.body.map((item) => {
      const rec = asBatchRecord(item);
      if (typeof rec === 'string') throw this.shapeError(`the campaign list is not a list of campaigns (${rec})`);
      return rec;
    });
  }

  private notJson(res: HttpResponse, what: string): VendorError {
    const kind = res.body !== undefined ? `an unexpected ${Array.isArray(res.body) ? 'array' : typeof res.body}` : /^\s*</.test(res.text) ? 'an HTML page' : res.text.trim() ? 'malformed JSON' : 'an empty body';
    return this.shapeError(`Batch answered the ${what} request with ${kind}`);
  }

  private shapeError(message: string): VendorError {
    return shapeError('batch', message, 'Batch may be having trouble or a proxy answered; try again shortly.');
  }

  private scrub(s: string): string {
    let out = s;
    for (const secret of [this.options.apiKey, this.options.restApiKey]) if (secret) out = out.split(secret).join('[redacted]');
    return out;
  }
}
