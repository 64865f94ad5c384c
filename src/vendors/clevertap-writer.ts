import type { CampaignDetail, Status } from '../domain.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { campaignId, describeCleverTap, failStatus } from './clevertap-errors.js';
import { audienceToWhere, describeWhere } from './clevertap-map.js';
import {
  CLEVERTAP_CREATE_CHANNELS, CLEVERTAP_CREATE_INTERVAL_MS, CLEVERTAP_PER_BATCH_CODES, CLEVERTAP_SEND_BATCH, CLEVERTAP_SEND_CHANNELS,
  CLEVERTAP_USED_CONTENT, CLEVERTAP_WRITE_CAPABILITIES, clevertapContent, clevertapCreatePaceKey, clevertapSendBody, clevertapWhen, sendCampaignId,
} from './clevertap-write-map.js';
import { resolveSchedule } from './schedule.js';
import type { CreateInput, PartControl, PartOutcome, PlanPart, SendInput, StatusInput, VendorWriter, WriteOp, WritePlan } from './vendor.js';
import { contentExcerpt, requireChannel, requireContent, requireIdType, requireRecipients, unusedContent, type DraftContent } from './write-input.js';
import { outcomeOfError, sendControl } from './write-outcome.js';

/** stop.json "stops scheduled or running campaigns" (notes 1(g)); `pending` maps to scheduled. */
const STOPPABLE: ReadonlySet<Status> = new Set(['scheduled', 'running']);
/** "Three concurrent requests are the max" (notes re-check); the same key as the read side. */
const MAX_CONCURRENT = 3;
const CREATE_PATH = '/1/targets/create.json';
const NOT_IDEMPOTENT = 'CleverTap documents no idempotency key for this request: an unknown outcome is reported, never resent automatically.';

/** The account a writer acts for; the passcode goes only into request headers. */
export interface CleverTapWriterContext {
  account: string;
  accountId: string;
  passcode: string;
  /** Base URL without a trailing slash (region host, proxy or simulator). */
  base: string;
  timezone: string;
  /**
   * Finds one campaign through list.json (the adapter's getCampaign, within its 31-day windows): a stop's preview
   * reads the campaign's state, as DESIGN allows, and refuses an id that does not exist or a state that cannot stop.
   */
  find?: (id: string, signal?: AbortSignal) => Promise<CampaignDetail>;
}

type Rec = Record<string, unknown>;

/** CleverTap writes: create.json (estimated first, paced 1/s), /1/send/*.json in batches of 1,000, stop.json. */
export class CleverTapWriter implements VendorWriter {
  readonly capabilities = CLEVERTAP_WRITE_CAPABILITIES;

  constructor(private readonly ctx: CleverTapWriterContext, private readonly http: HttpClient) {}

  async prepare(op: WriteOp, clock: () => Date, signal?: AbortSignal): Promise<WritePlan> {
    if (op.kind === 'create') return this.prepareCreate(op.input, clock, signal);
    if (op.kind === 'send') return this.prepareSend(op.input, op.recipients);
    return this.prepareStatus(op.input, signal);
  }

  sendPart(input: SendInput, ids: readonly string[], _index: number, _key: string): PlanPart {
    return { request: { method: 'POST', path: `/1/send/${input.channel}.json`, body: clevertapSendBody(input, ids) }, recipients: ids.length, retry_safe: false };
  }

  async execute(part: PlanPart, control?: PartControl): Promise<PartOutcome> {
    try {
      return this.outcome(await this.post(part.request.path, part.request.body, undefined, 'write', control, part.retry_safe), part.request.path === CREATE_PATH);
    } catch (err) {
      return outcomeOfError(err, { contentError });
    }
  }

  private async prepareCreate(input: CreateInput, clock: () => Date, signal?: AbortSignal): Promise<WritePlan> {
    const content = input.content as DraftContent;
    requireChannel('clevertap', 'CleverTap', input.channel, CLEVERTAP_CREATE_CHANNELS, 'create a campaign',
      'Its whatsapp, webhook and inbox campaigns need a template or an endpoint name, which campaign content does not carry.');
    if (!input.name.trim()) throw new InputError('a campaign needs a name');
    requireContent('CleverTap', input.channel, content, input.channel === 'email' ? ['sender_name'] : []);
    const targeting = audienceToWhere(input.audience, clock(), this.ctx.timezone);
    const schedule = resolveSchedule(input.schedule, this.ctx.timezone, clock());
    const body: Rec = {
      name: input.name, target_mode: input.channel, ...targeting, respect_frequency_caps: true, estimate_only: false,
      content: clevertapContent(input.channel, content), when: clevertapWhen(schedule),
    };
    const notes = [...unusedContent(input.channel, content, CLEVERTAP_USED_CONTENT[input.channel] ?? []), NOT_IDEMPOTENT, 'Frequency caps are respected (respect_frequency_caps: true).'];
    if (input.channel === 'push') notes.push('No Android notification channel (wzrk_cid) is set: an account that requires one refuses the campaign.');
    const estimate = await this.estimate(body, signal);
    if (typeof estimate === 'string') notes.push(estimate);
    return {
      parts: [{ request: { method: 'POST', path: CREATE_PATH, body }, retry_safe: false }],
      preview: {
        vendor: 'clevertap', account: this.ctx.account, operation: `create a ${input.channel} campaign "${input.name}"`, channel: input.channel,
        audience: describeWhere(targeting.where, targeting.segment) ?? 'all users',
        ...(typeof estimate === 'number' ? { estimated_reach: estimate } : {}),
        content: contentExcerpt(content, input.channel),
        schedule: schedule === 'now' ? 'now' : { local: schedule.local, utc: schedule.utc, timezone: schedule.timezone }, notes,
      },
    };
  }

  /** The reach of the exact create body (estimate_only: true never creates, seed 001), or why there is none. */
  private async estimate(body: Rec, signal?: AbortSignal): Promise<number | string> {
    const probe = { ...body, estimate_only: true };
    if (probe.estimate_only !== true) throw new Error('refusing to call create.json without estimate_only');
    let res: HttpResponse;
    try {
      res = await this.post(CREATE_PATH, probe, signal, 'read');
    } catch (err) {
      if (err instanceof VendorError && err.status !== undefined && err.status < 500 && err.status !== 429) throw err;
      return `No reach estimate: ${err instanceof Error ? err.message : String(err)}.`;
    }
    const b = (res.body ?? {}) as Rec;
    const effective = failStatus(b);
    if (effective !== undefined && effective < 500 && effective !== 429) throw this.envelopeError(b, res, effective);
    const estimates = b.status === 'success' && b.estimates && typeof b.estimates === 'object' ? (b.estimates as Rec) : undefined;
    if (!estimates) return 'No reach estimate: CleverTap answered without estimates.';
    return Object.values(estimates).reduce((n: number, v) => n + (typeof v === 'number' && Number.isFinite(v) ? v : 0), 0);
  }

  private prepareSend(input: SendInput, recipients: { count: number; duplicates_removed: number }): WritePlan {
    const content = input.content as DraftContent;
    requireChannel('clevertap', 'CleverTap', input.channel, CLEVERTAP_SEND_CHANNELS, 'send to listed users');
    requireIdType('CleverTap', input.id_type, this.capabilities.send.id_types);
    requireContent('CleverTap', input.channel, content, input.channel === 'email' ? ['sender_name'] : []);
    requireRecipients(recipients.count);
    const campaign = sendCampaignId(input.campaign_id);
    const batches = Math.ceil(recipients.count / CLEVERTAP_SEND_BATCH);
    return {
      parts: [],
      preview: {
        vendor: 'clevertap', account: this.ctx.account, operation: `send a ${input.channel} message to ${recipients.count} users by ${input.id_type}`,
        channel: input.channel, content: contentExcerpt(content, input.channel), schedule: 'now',
        counts: { recipients: recipients.count, duplicates_removed: recipients.duplicates_removed, batches, batch_size: CLEVERTAP_SEND_BATCH },
        notes: [
          ...unusedContent(input.channel, content, CLEVERTAP_USED_CONTENT[input.channel] ?? []),
          `/1/send/${input.channel}.json in ${batches} batch${batches === 1 ? '' : 'es'} of up to ${CLEVERTAP_SEND_BATCH}; CleverTap queues each ("Added to queue for processing"), delivery is then up to the provider.`,
          ...(campaign !== undefined ? [`Sent under CleverTap campaign_id ${campaign}.`] : []),
          NOT_IDEMPOTENT, 'Frequency caps are respected (respect_frequency_caps: true).',
        ],
      },
    };
  }

  private async prepareStatus(input: StatusInput, signal?: AbortSignal): Promise<WritePlan> {
    if (input.action !== 'stop') throw new UnsupportedError('clevertap', `CleverTap has no ${input.action} API (notes 1(g)): it can only stop a scheduled or running campaign.`);
    const id = campaignId(input.id);
    const campaign = this.ctx.find ? await this.findForStop(String(id), signal) : undefined;
    const word = campaign?.vendor_status || campaign?.status;
    if (campaign && !STOPPABLE.has(campaign.status) && campaign.status !== 'unknown') {
      const already = campaign.status === 'stopped' ? ' It is already stopped.' : '';
      throw new InputError(`cannot stop campaign ${id} ("${campaign.name}", ${word}): CleverTap stops only a scheduled or running campaign (notes 1(g)).${already} Nothing was stopped.`);
    }
    const notes = ['Stops a scheduled or running campaign. A stop cannot be undone: CleverTap has no resume.'];
    if (campaign?.status === 'unknown') notes.unshift(`CleverTap lists its status as "${word}", a word its list.json documents no meaning for: CleverTap may refuse the stop.`);
    return {
      parts: [{ request: { method: 'POST', path: '/1/targets/stop.json', body: { id } }, retry_safe: true }],
      preview: {
        vendor: 'clevertap', account: this.ctx.account,
        operation: campaign ? `stop campaign "${campaign.name}" (${id}), now ${word}` : `stop campaign ${id}`,
        ...(campaign && campaign.channel !== 'other' ? { channel: campaign.channel } : {}), notes,
      },
    };
  }

  /** The campaign to stop, read before any write; an id list.json does not hold is a clear refusal naming how far it looked. */
  private async findForStop(id: string, signal?: AbortSignal): Promise<CampaignDetail> {
    try {
      return await this.ctx.find!(id, signal);
    } catch (err) {
      if (!(err instanceof VendorError) || err.status !== 404) throw err;
      throw new VendorError({
        vendor: 'clevertap', status: 404,
        message: `cannot stop campaign ${id}: ${err.message.replace(/^campaign \S+ /, 'it was ')}; nothing was stopped`,
        hint: 'Check the id with list_campaigns or search_campaigns (CleverTap ids are the numbers list.json gives).',
      });
    }
  }

  /** A 2xx answer as an outcome: `success` succeeded, `fail` by its effective status, anything else unknown. */
  private outcome(res: HttpResponse, create: boolean): PartOutcome {
    const b = (res.body && typeof res.body === 'object' ? res.body : {}) as Rec;
    const effective = failStatus(b);
    if (effective !== undefined) return outcomeOfError(this.envelopeError(b, res, effective), { contentError });
    if (b.status !== 'success') return { state: 'unknown', message: `CleverTap answered HTTP ${res.status} without a success or fail status; it may have acted. Check in CleverTap before sending again.` };
    const ref = create && (typeof b.id === 'number' || typeof b.id === 'string') ? String(b.id) : undefined;
    return { state: 'succeeded', ...(ref ? { vendor_ref: ref } : {}), ...(typeof b.message === 'string' ? { message: b.message } : {}) };
  }

  private envelopeError(b: Rec, res: HttpResponse, effective: number): VendorError {
    return new VendorError({ vendor: 'clevertap', status: effective, ...describeCleverTap(effective, b, res.text), ...(effective >= 500 ? { outcome: 'unknown' as const } : {}) });
  }

  /** `idempotent`: the part is `retry_safe` (stop: "already stopped" is a success with no action), so it retries like a read. */
  private post(path: string, body: unknown, signal?: AbortSignal, kind: 'read' | 'write' = 'write', control?: PartControl, idempotent = false): Promise<HttpResponse> {
    return this.http.send({
      vendor: 'clevertap', method: 'POST', url: `${this.ctx.base}${path}`, kind, body, ...(signal ? { signal } : {}), ...sendControl(control), ...(idempotent && { idempotent }),
      headers: { 'x-clevertap-account-id': this.ctx.accountId, 'x-clevertap-passcode': this.ctx.passcode, 'content-type': 'application/json' },
      concurrency: { key: `clevertap:${this.ctx.accountId}`, max: MAX_CONCURRENT },
      ...(path === CREATE_PATH ? { pace: { key: clevertapCreatePaceKey(this.ctx.accountId), intervalMs: CLEVERTAP_CREATE_INTERVAL_MS } } : {}),
      describe: describeCleverTap, classify: failStatus,
    });
  }
}

/** A refusal of the request itself (bad content, bad JSON, a mandatory field), which every batch would get too. */
function contentError(e: VendorError): boolean {
  return e.status === 400 && !CLEVERTAP_PER_BATCH_CODES.has(e.code);
}
