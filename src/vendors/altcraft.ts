import { createHash } from 'node:crypto';
import { allOrCancel } from '../concurrency.js';
import { type Audience, type CampaignDetail, type CampaignReport, type Channel, type ReachEstimate } from '../domain.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { registerSecret } from '../log.js';
import { filterLocal, projectDigest } from './common.js';
import type { Capabilities, GetOptions, GetResult, ListQuery, ListResult, VendorAdapter } from './vendor.js';
import { AltcraftWriter } from './altcraft-writer.js';
import {
  MAILING_DELIVERY, SCAMPAIGN_NEVER, STATUS_TO_SCAMPAIGN_STATE, audienceLine, containerSummary, contentExcerpt, describeAltcraft,
  mailingChannel, mailingSummary, num, obj, parseRef, prune, scheduleStart, toStamp, trimRaw, type AltcraftRef,
} from './altcraft-map.js';
import { ID_HELP, envelopeStatus, missing, readEnvelope, record, shapeError, type Envelope } from './altcraft-errors.js';
import { pageAll } from './altcraft-paging.js';

/** Kept importable from the adapter module, where tests have always found it. */
export { ALTCRAFT_PAGE_SIZE } from './altcraft-paging.js';

/** Cloud host (notes §4 Common); on-premise installs pass their own host (ALTCRAFT_BASE_URL). */
export const ALTCRAFT_DEFAULT_BASE_URL = 'https://ru.altkraft.com';
/** Every method is POST <host>/api/v1.1/<method> (notes §4 Common). */
const API_PREFIX = '/api/v1.1/';
/** Altcraft's API rate limits are undocumented (notes §4 [U]): our own client-side cap and pacing, at most 4 at once and 16 in any second, per token. */
const ALTCRAFT_MAX_CONCURRENT = 4;
const ALTCRAFT_PACE = [{ limit: 16, ms: 1000 }] as const;
/** Log lines read for a mailing's report message (campaigns/log_v2 `limit`, notes §4c). */
const LOG_LINES = 50;

/** Options for one Altcraft account: the API token is sent as a Bearer header, never in a body. */
export interface AltcraftOptions {
  /** IANA zone of the account's local times and schedules (default UTC). */
  timezone?: string;
  account: string;
  token: string;
  baseUrl?: string;
  now?: () => Date;
}

/** What Altcraft supports: listing is filtered locally (only exact ui_tags server-side); reach only for a named segment. */
export const ALTCRAFT_CAPABILITIES: Capabilities = {
  list: true,
  search_server_side: false,
  report: false,
  estimate_reach: true,
  channels: ['email', 'sms', 'push', 'other'],
};

type Rec = Record<string, unknown>;

/** Read one Altcraft account: campaign containers and mailings, normalized. */
export class AltcraftAdapter implements VendorAdapter {
  readonly vendor = 'altcraft' as const;
  readonly account: string;
  readonly project: string;
  readonly timezone: string;
  readonly capabilities = ALTCRAFT_CAPABILITIES;
  readonly writer: AltcraftWriter;
  private readonly base: string;
  private readonly now: () => Date;
  private readonly rateKey: string;

  constructor(private readonly options: AltcraftOptions, private readonly http: HttpClient) {
    registerSecret(options.token);
    this.rateKey = `altcraft:${createHash('sha256').update(options.token).digest('hex').slice(0, 16)}`;
    this.account = options.account;
    this.timezone = options.timezone ?? 'UTC';
    this.base = (options.baseUrl ?? ALTCRAFT_DEFAULT_BASE_URL).replace(/\/+$/, '');
    // The cloud host serves every customer: the token is what names the account.
    this.project = projectDigest(this.vendor, this.base, options.token);
    this.now = options.now ?? (() => new Date());
    this.writer = new AltcraftWriter({
      account: this.account, timezone: this.timezone, base: this.base, token: options.token,
      getCampaign: (id, signal) => this.getCampaign(id, { raw: true }, signal), estimateReach: (ch, a, signal) => this.estimateReach(ch, a, signal),
    }, http);
  }

  /**
   * Containers (scampaigns/list) and mailings (campaigns/list) are listed concurrently. When one of the two
   * fails the other half is returned with a warning naming the method that failed; when both fail it throws.
   */
  async listCampaigns(q: ListQuery, signal?: AbortSignal): Promise<ListResult> {
    const containers = (!q.channel || q.channel === 'other') && !(q.status && SCAMPAIGN_NEVER.has(q.status));
    const state = q.status ? STATUS_TO_SCAMPAIGN_STATE[q.status] : undefined;
    const [sc, ml] = await Promise.allSettled([
      containers ? pageAll(this.call.bind(this), 'scampaigns/list', state ? { state } : {}, signal) : Promise.resolve({ items: [], requests: 0 }),
      pageAll(this.call.bind(this), 'campaigns/list', {}, signal),
    ]);
    for (const r of [ml, sc]) if (r.status === 'rejected' && (signal?.aborted || !(r.reason instanceof VendorError))) throw r.reason;
    if (ml.status === 'rejected' && (sc.status === 'rejected' || !containers)) throw ml.reason;
    const warnings: string[] = [];
    if (sc.status === 'rejected') warnings.push(halfMissing('scampaigns/list', sc.reason as VendorError, 'campaigns (containers of mailings) are missing; mailings are listed'));
    if (ml.status === 'rejected') warnings.push(halfMissing('campaigns/list', ml.reason as VendorError, 'mailings are missing; only campaigns (containers) are listed'));
    const now = this.now();
    const tz = this.timezone;
    const all = [
      ...(sc.status === 'fulfilled' ? sc.value.items.map((r) => containerSummary(r, this.account, tz)) : []),
      ...(ml.status === 'fulfilled' ? ml.value.items.map((r) => mailingSummary(r, this.account, now, tz)) : []),
    ];
    const requests = (sc.status === 'fulfilled' ? sc.value.requests : 0) + (ml.status === 'fulfilled' ? ml.value.requests : 0);
    return { campaigns: filterLocal(all, q, tz), requests, ...(warnings.length ? { warnings } : {}) };
  }

  async getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult> {
    const ref = this.ref(id);
    if (ref.kind === 'campaign') {
      const r = await this.container(ref, id, signal);
      const ap = obj(r.active_period);
      const settings = obj(ap.settings);
      const percent = num(obj(obj(obj(r.audience).lcg).size_formation_settings).percent);
      const campaign: CampaignDetail = {
        ...containerSummary(r, this.account, this.timezone),
        audience: audienceLine(r),
        control_group: percent === undefined ? undefined : percent > 0,
        schedule: settings.start_at || settings.end_at ? { start: toStamp(settings.start_at, this.timezone), end: toStamp(settings.end_at, this.timezone) } : undefined,
        updated_at: toStamp(r.updatetime ?? r.update_time, this.timezone),
        raw: options.raw ? trimRaw(r) : undefined,
      };
      return { campaign: prune(campaign) };
    }
    const [{ data }, { data: st }] = await this.notFound(id, allOrCancel<[Envelope, Envelope]>(signal, [
      (s) => this.call('campaigns/get', { id: ref.id }, s),
      (s) => this.call('campaigns/get_status', { id: ref.id }, s),
    ]));
    const r = record(Array.isArray(data) ? data[0] : data, 'campaigns/get');
    const merged = { ...r, ...obj(st) };
    const sched = obj(r.start_schedule);
    const campaign: CampaignDetail = {
      ...mailingSummary(merged, this.account, this.now(), this.timezone),
      delivery: typeof r.type === 'string' ? (MAILING_DELIVERY[r.type] ?? r.type) : undefined,
      audience: audienceLine(r),
      content: contentExcerpt(r.content),
      schedule: r.start_schedule ? { start: scheduleStart(r.start_schedule, this.timezone), recurrence: typeof sched.type === 'string' && sched.type !== 'once' ? sched.type : undefined } : undefined,
      updated_at: toStamp(r.update_time ?? r.updatetime, this.timezone),
      raw: options.raw ? trimRaw({ mailing: r, status: st }) : undefined,
    };
    return { campaign: prune(campaign) };
  }

  async getReport(id: string, signal?: AbortSignal): Promise<CampaignReport> {
    const ref = this.ref(id);
    const base = { vendor: this.vendor, account: this.account, id, available: false };
    const none = "Altcraft's API has no confirmed per-mailing statistics endpoint; campaigns/log_v2 gives log lines, not counters";
    if (ref.kind === 'campaign') return { ...base, message: `${none}. A campaign container has no log either: ask for the report of one of its mailings (mailing-<id>) or see Altcraft's analytics in the UI.` };
    let lines: unknown;
    try {
      ({ data: lines } = await this.call('campaigns/log_v2', { id: ref.id, limit: LOG_LINES }, signal));
    } catch (err) {
      if (!(err instanceof VendorError && err.status === 404)) throw err;
      if (!/method/i.test(err.message)) throw missing(id, err);
      return { ...base, message: `${none}, and this Altcraft host has no campaigns/log_v2 either.` };
    }
    const last = (Array.isArray(lines) ? lines.map(obj) : []).filter((l) => typeof l.message === 'string').sort((a, z) => String(a.time ?? '').localeCompare(String(z.time ?? ''))).pop();
    const at = toStamp(last?.time, this.timezone);
    const tail = last ? `. Latest log line${at ? ` (${at}${typeof last.level === 'string' ? `, ${last.level}` : ''})` : ''}: "${String(last.message).slice(0, 160)}"` : '; its log is empty';
    return { ...base, message: `${none}${tail}.` };
  }

  async estimateReach(channel: Channel, audience: Audience, signal?: AbortSignal): Promise<ReachEstimate> {
    if (!audience.segment_id) {
      throw new UnsupportedError('altcraft', 'Altcraft estimates reach only for a named segment: pass audience.segment_id (a segment id); event and profile conditions are built as segments in Altcraft first.');
    }
    if (audience.event || audience.profile?.length) throw new InputError('Altcraft estimates a segment as it is: pass audience.segment_id alone, without event or profile conditions.');
    // The forms create_campaign takes (and its errors suggest) estimate too: "segment:<id>" is a segment; "list:<id>"
    // is a whole database, which Altcraft gives no counter for. Draft = estimate, then create with the same audience.
    if (/^\s*list:\d+\s*$/i.test(audience.segment_id)) {
      throw new UnsupportedError('altcraft', 'Altcraft gives no reach estimate for a whole database list ("list:<id>"); estimate a segment of it ("<segment id>" or "<database id>:<segment id>") instead.');
    }
    const m = /^\s*(?:segment:\s*)?(?:(\d+)\s*[:/]\s*)?(\d+)\s*$/i.exec(audience.segment_id);
    if (!m) throw new InputError('Altcraft segment ids are numbers: pass audience.segment_id as "<segment id>" (or "segment:<segment id>") or "<database id>:<segment id>".');
    const id = Number(m[2]);
    const db = m[1] === undefined ? undefined : Number(m[1]);
    let env: Envelope;
    try {
      env = await this.call('segments/get_counters', db === undefined ? { id } : { id, list_id: db }, signal);
    } catch (err) {
      if (!(db !== undefined && err instanceof VendorError && /list_id/.test(err.message))) throw err;
      env = await this.call('segments/get_counters', { id, db_id: db }, signal);
    }
    if (!Array.isArray(env.data)) throw shapeError('segments/get_counters', 'data is not a list of channel counters');
    const by: Record<string, number> = {};
    let unconfirmed = 0;
    for (const row of env.data.map(obj)) {
      const s = obj(row.status);
      const sendable = num(s.subscribed_sendable);
      if (typeof row.channel !== 'string' || sendable === undefined) continue;
      const ch = mailingChannel(row.channel) === 'other' ? row.channel : mailingChannel(row.channel);
      by[ch] = (by[ch] ?? 0) + sendable;
      if (ch === channel) unconfirmed += num(s.unconfirmed_sendable) ?? 0;
    }
    const known = channel in by;
    const note = !known
      ? `segment ${id} has no ${channel} counters; channels counted: ${Object.keys(by).join(', ') || 'none'}`
      : `subscribed, sendable profiles of segment ${id}${unconfirmed ? `; ${unconfirmed} unconfirmed (opt-in pending) not counted` : ''}; counters are as of Altcraft's last refresh`;
    return { vendor: this.vendor, account: this.account, channel, estimated_reach: by[channel] ?? 0, by_platform: by, note };
  }

  private ref(id: string): AltcraftRef {
    const ref = parseRef(id);
    if (!ref) throw new InputError(`${ID_HELP}; got "${id}".`);
    return ref;
  }

  /** scampaigns/get is [U]: when the method is missing, find the container with a one-item list from its id. */
  private async container(ref: AltcraftRef, id: string, signal?: AbortSignal): Promise<Rec> {
    try {
      const { data } = await this.call('scampaigns/get', { id: ref.id }, signal);
      return record(Array.isArray(data) ? data[0] : data, 'scampaigns/get');
    } catch (err) {
      if (!(err instanceof VendorError && [404, 405, 501].includes(err.status ?? 0))) throw err;
    }
    const { data } = await this.call('scampaigns/list', { from_id: ref.id, limit: 1 }, signal);
    const hit = (Array.isArray(data) ? data.map(obj) : []).find((r) => num(r.id) === ref.id);
    if (!hit) throw missing(id);
    return hit;
  }

  /** POST one method; an envelope with error != 0 is a failure whatever the HTTP status. */
  private async call(method: string, body: Rec, signal?: AbortSignal): Promise<Envelope> {
    const res = await this.http.send({
      vendor: this.vendor, method: 'POST', url: `${this.base}${API_PREFIX}${method}`, kind: 'read', signal, body,
      headers: { authorization: `Bearer ${this.options.token}` }, describe: describeAltcraft, classify: envelopeStatus,
      concurrency: { key: this.rateKey, max: ALTCRAFT_MAX_CONCURRENT }, pace: { key: this.rateKey, intervalMs: 0, windows: ALTCRAFT_PACE },
    });
    return readEnvelope(res, method);
  }

  private async notFound<T>(id: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof VendorError && err.status === 404 && !/method/i.test(err.message)) throw missing(id, err);
      throw err;
    }
  }
}

/** The warning for one half of a listing that failed: the method, why, and what is missing. */
function halfMissing(method: string, err: VendorError, what: string): string {
  return `${method} failed (${err.message.replace(/[.\s]+$/, '')}${err.status ? `, HTTP ${err.status}` : ''}): ${what}`;
}
