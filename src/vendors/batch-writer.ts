import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import {
  BATCH_SEND_BATCH, BATCH_USED_CONTENT, BATCH_WRITE_CAPABILITIES, BATCH_WRITE_CONCURRENCY, batchEnvelopeStatus, batchGroupId, batchMessage,
  batchPushTime, batchSendBody, batchTargeting,
} from './batch-write-map.js';
import { BATCH_STATUS, batchStart, batchState, type BatchCampaignRecord } from './batch-map.js';
import { resolveSchedule } from './schedule.js';
import type { CreateInput, PartControl, PartOutcome, PlanPart, SendInput, StatusInput, VendorWriter, WriteOp, WritePlan } from './vendor.js';
import { contentExcerpt, requireChannel, requireContent, requireIdType, requireRecipients, unusedContent, type DraftContent } from './write-input.js';
import { outcomeOfError, sendControl, unexpectedAnswer } from './write-outcome.js';

/** Campaign tokens are hex in every example (seed 003); anything path-breaking is refused before a request. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const CREATE_PATH = 'campaigns/create';
const NOT_IDEMPOTENT = 'Batch documents no idempotency key for this request: an unknown outcome is reported, never resent automatically.';

/** The app a writer acts for. Keys go only into the URL and X-Authorization when sending, never into a plan. */
export interface BatchWriterContext {
  account: string;
  timezone: string;
  /** Base URL without a trailing slash; requests go to `${base}/1.1/{apiKey}/${path}`. */
  base: string;
  apiKey: string;
  restApiKey: string;
  /** The read side's 429 hold key for this app: after a 429 every request waits. */
  holdKey: string;
  minWaitAfter429Ms: number;
  /** The adapter's description of MEP error answers. */
  describe: (status: number, body: unknown, text: string) => { message: string; code?: string | number; hint?: string };
}

type Rec = Record<string, unknown>;
const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Batch MEP 1.1 writes: campaigns/create, transactional/send in batches of 10,000 [U], pause/resume via
 * campaigns/update/{token} `live`. Planned paths are below the app's root (`/1.1/{BATCH_API_KEY}/`), so no plan holds the key.
 */
export class BatchWriter implements VendorWriter {
  readonly capabilities = BATCH_WRITE_CAPABILITIES;

  constructor(private readonly ctx: BatchWriterContext, private readonly http: HttpClient) {}

  async prepare(op: WriteOp, clock: () => Date, signal?: AbortSignal): Promise<WritePlan> {
    if (op.kind === 'create') return this.prepareCreate(op.input, clock);
    if (op.kind === 'send') return this.prepareSend(op.input, op.recipients);
    return this.prepareStatus(op.input, clock, signal);
  }

  sendPart(input: SendInput, ids: readonly string[], _index: number, _key: string): PlanPart {
    return { request: { method: 'POST', path: 'transactional/send', body: batchSendBody(input, ids) }, recipients: ids.length, retry_safe: false };
  }

  async execute(part: PlanPart, control?: PartControl): Promise<PartOutcome> {
    try {
      const res = await this.send(part.request.method, part.request.path, 'write', part.request.body, undefined, control);
      return this.outcome(res, part.request.path);
    } catch (err) {
      return outcomeOfError(err, { contentError: (e) => e.status === 400 });
    }
  }

  private checkContent(content: DraftContent): void {
    requireContent('Batch', 'push', content);
    if (content.image_url) throw new UnsupportedError('batch', 'Batch push images are not supported by this server (the notes do not document the MEP media field); remove image_url.');
  }

  private prepareCreate(input: CreateInput, clock: () => Date): WritePlan {
    const content = input.content as DraftContent;
    requireChannel('batch', 'Batch MEP', input.channel, this.capabilities.create, 'create a campaign');
    if (!input.name.trim()) throw new InputError('a campaign needs a name');
    this.checkContent(content);
    const targeting = batchTargeting(input.audience);
    const schedule = resolveSchedule(input.schedule, this.ctx.timezone, clock());
    const body: Rec = {
      name: input.name, live: true, push_time: batchPushTime(schedule), messages: [batchMessage(content)],
      ...(targeting ? { targeting } : {}), ...(content.deep_link ? { deeplink: content.deep_link } : {}),
    };
    const audience = !targeting ? 'all users' : 'segments' in targeting ? `segment ${String(targeting.segments)}` : `custom audience ${String(targeting.custom_audiences)} [U]`;
    return {
      parts: [{ request: { method: 'POST', path: CREATE_PATH, body }, retry_safe: false }],
      preview: {
        vendor: 'batch', account: this.ctx.account, operation: `create a live push campaign "${input.name}"`, channel: 'push', audience,
        content: contentExcerpt(content, 'push'), schedule: schedule === 'now' ? 'now' : { local: schedule.local, utc: schedule.utc, timezone: schedule.timezone },
        notes: [
          ...unusedContent('push', content, BATCH_USED_CONTENT),
          'Batch has no reach estimate API; the dashboard shows an audience estimate.',
          'Created live: Batch pushes it at push_time (UTC). With a Dev API key it reaches dev builds only.',
          NOT_IDEMPOTENT,
        ],
      },
    };
  }

  private prepareSend(input: SendInput, recipients: { count: number; duplicates_removed: number }): WritePlan {
    const content = input.content as DraftContent;
    requireChannel('batch', 'Batch MEP', input.channel, this.capabilities.send.channels, 'send to listed users');
    requireIdType('Batch', input.id_type, this.capabilities.send.id_types);
    this.checkContent(content);
    requireRecipients(recipients.count);
    const group = batchGroupId(input.campaign_id);
    const batches = Math.ceil(recipients.count / BATCH_SEND_BATCH);
    return {
      parts: [],
      preview: {
        vendor: 'batch', account: this.ctx.account, operation: `send a push to ${recipients.count} users by ${input.id_type === 'identity' ? 'custom_id' : input.id_type}`,
        channel: 'push', content: contentExcerpt(content, 'push'), schedule: 'now',
        counts: { recipients: recipients.count, duplicates_removed: recipients.duplicates_removed, batches, batch_size: BATCH_SEND_BATCH },
        notes: [
          ...unusedContent('push', content, BATCH_USED_CONTENT),
          `transactional/send in ${batches} request${batches === 1 ? '' : 's'} of up to ${BATCH_SEND_BATCH} ids: that cap is unconfirmed [U] (no vendor page states it).`,
          `group_id "${group}" (an analytics key, not unique).`,
          ...(content.deep_link ? ['The deep link goes as `deeplink` [U]: the transactional page documents message {title, body}; deeplink is the campaign field.'] : []),
          NOT_IDEMPOTENT,
        ],
      },
    };
  }

  private async prepareStatus(input: StatusInput, clock: () => Date, signal?: AbortSignal): Promise<WritePlan> {
    if (input.action === 'stop') {
      throw new UnsupportedError('batch', 'Batch MEP documents no stop: campaigns/delete deletes the campaign, which is not a stop. Use pause (live: false) instead.');
    }
    const token = input.id.trim();
    if (!TOKEN.test(token)) throw new InputError('a Batch campaign id is its campaign_token (letters, digits, - and _), as list_campaigns shows it');
    const live = input.action === 'resume';
    const checked = await this.checkCampaign(token, input.action, clock(), signal);
    const notes = [
      ...(checked.warning ? [checked.warning] : []),
      // "schedules it again" is untrue of a campaign whose push_time passed: the warning says what live: true does then.
      ...(live && checked.warning ? [] : [live ? 'Sets live: true, so Batch schedules it again (notes 3(g)).' : 'Sets live: false. Whether that pauses a running campaign is unconfirmed [U]: Batch documents live:false only as "stopped and draft" in its listing, so it then lists as draft (not-live) while its push_time is ahead, stopped once it has passed.']),
      'Batch updates only campaigns created through its API (notes 3(g)).',
      ...checked.notes,
    ];
    return {
      parts: [{ request: { method: 'POST', path: `campaigns/update/${encodeURIComponent(token)}`, body: { live } }, retry_safe: false }],
      preview: { vendor: 'batch', account: this.ctx.account, operation: `${input.action} campaign ${checked.what ?? token}`, channel: 'push', notes },
    };
  }

  /**
   * Read the campaign first (a read, never a write): it must exist and have been created through the API. Where the
   * action cannot mean what its word says, the preview says so first (instead of "Batch schedules it again"): a
   * one-time campaign already pushed has nothing to pause; one whose push_time passed while not live has no schedule
   * to go back to, and live: true may push it at once [U].
   */
  private async checkCampaign(token: string, action: StatusInput['action'], now: Date, signal?: AbortSignal): Promise<{ notes: string[]; what?: string; warning?: string }> {
    const live = action === 'resume';
    let res: HttpResponse;
    try {
      res = await this.send('GET', `campaigns/${encodeURIComponent(token)}`, 'read', undefined, signal);
    } catch (err) {
      if (err instanceof VendorError && err.status === 404) {
        throw new VendorError({ vendor: 'batch', status: 404, code: err.code, message: `campaign ${token} not found`, hint: 'Use a campaign_token from list_campaigns; each app (iOS, Android, Web) has its own campaigns.' });
      }
      if (err instanceof VendorError && err.status === 401) throw err;
      return { notes: [`Could not check the campaign first (${err instanceof Error ? err.message : String(err)}).`] };
    }
    const rec = isObject(res.body) ? res.body : {};
    if (rec.from_api === false) throw new UnsupportedError('batch', `campaign ${token} was created in the dashboard; Batch's API updates only API-created campaigns (notes 3(g)). Change it in the Batch dashboard.`);
    const name = typeof rec.name === 'string' ? `"${rec.name}" ` : '';
    // push_time as this writer sends it: UTC (batch-write-map.ts; the read side's account-zone reading is under review).
    const state = batchState(rec as BatchCampaignRecord, now, 'UTC');
    const what = `${name}(${token}), now ${BATCH_STATUS[state]}`;
    const once = !isObject(rec.trigger) && !isObject(rec.recurrence);
    const start = batchStart(rec as BatchCampaignRecord, 'UTC');
    const warning = action === 'pause' && once && (state === 'live:past' || state === 'live:none')
      ? `It is a one-time campaign Batch already pushed${start ? ` (push_time ${start})` : ''}: there is nothing left to pause; live: false only marks it stopped.`
      : action === 'resume' && once && state === 'not-live:past'
        ? `Its push_time ${start} has passed: there is no schedule to resume to, and live: true may push it to its whole audience at once [U]. To send it later, create a new campaign with a future schedule instead.`
        : undefined;
    return {
      what, ...(warning ? { warning } : {}),
      notes: [rec.live === live ? `Campaign ${name}is already live: ${String(live)}; the update changes nothing.` : `Campaign ${name}is live: ${String(rec.live)} now.`],
    };
  }

  /**
   * A 2xx as an outcome. Batch answers every write with a JSON object (notes 3(e)(f)); a create's names the campaign
   * token ("HTTP 201 with a campaigns token"; the key is [U], so `token` counts too). Anything else is unknown.
   */
  private outcome(res: HttpResponse, path: string): PartOutcome {
    const b = isObject(res.body) ? res.body : undefined;
    const effective = batchEnvelopeStatus(b);
    if (b && effective !== undefined) {
      const err = new VendorError({ vendor: 'batch', status: effective, ...this.ctx.describe(effective, b, res.text), ...(effective >= 500 ? { outcome: 'unknown' as const } : {}) });
      return outcomeOfError(err, { contentError: (e) => e.status === 400 });
    }
    if (!b) return unexpectedAnswer('Batch', res, 'its JSON answer');
    const ref = [b.campaign_token, b.token].find((v): v is string => typeof v === 'string' && v !== '');
    if (!ref && path === CREATE_PATH) return unexpectedAnswer('Batch', res, 'the created campaign\'s campaign_token');
    return { state: 'succeeded', ...(ref ? { vendor_ref: ref } : {}) };
  }

  private send(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, kind: 'read' | 'write', body: unknown, signal?: AbortSignal, control?: PartControl): Promise<HttpResponse> {
    return this.http.send({
      vendor: 'batch', method, url: `${this.ctx.base}/1.1/${encodeURIComponent(this.ctx.apiKey)}/${path}`, kind,
      headers: { 'x-authorization': this.ctx.restApiKey, 'content-type': 'application/json' },
      ...(body !== undefined ? { body } : {}), ...(signal ? { signal } : {}), ...sendControl(control),
      minWaitAfter429Ms: this.ctx.minWaitAfter429Ms, hold: this.ctx.holdKey,
      concurrency: { key: `${this.ctx.holdKey}:write`, max: BATCH_WRITE_CONCURRENCY },
      describe: this.ctx.describe, classify: batchEnvelopeStatus,
    });
  }
}
