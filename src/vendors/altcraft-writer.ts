import type { Audience, Channel, ReachEstimate } from '../domain.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { ID_HELP, envelopeStatus } from './altcraft-errors.js';
import { describeAltcraft, hintFor, parseRef } from './altcraft-map.js';
import { ALTCRAFT_ID_TYPES, ALTCRAFT_SEND_CHANNELS, ALTCRAFT_USED_CONTENT, altcraftAudience, altcraftStart, channelContent, matching, triggerId } from './altcraft-write-map.js';
import { resolveSchedule } from './schedule.js';
import type { GetResult, PartControl, PartOutcome, PlanPart, SendInput, StatusInput, VendorWriter, WriteCapabilities, WriteOp, WritePlan, WritePreview } from './vendor.js';
import { contentExcerpt, requireContent, unusedContent } from './write-input.js';
import { outcomeOfError, sendControl } from './write-outcome.js';

/** How a deactivated mailing reads afterwards: Altcraft's status word for it is the one a mailing never started has. */
const INACTIVE_READS = 'Altcraft then reports it as Inactive, as it does a mailing never started, so it lists as draft (Inactive) until resumed.';

/** Profiles per start_batch request: batch endpoints take ≤10,000 (notes §4 Common, (f)). */
export const ALTCRAFT_BATCH_SIZE = 10_000;
/** Every method is POST <host>/api/v1.1/<method> (notes §4 Common). */
const API = '/api/v1.1/';

/** What the writer needs from its adapter: identity, where to send, and the reads a preview may make. */
export interface AltcraftWriterContext {
  account: string;
  timezone: string;
  base: string;
  token: string;
  getCampaign(id: string, signal?: AbortSignal): Promise<GetResult>;
  estimateReach(channel: Channel, audience: Audience, signal?: AbortSignal): Promise<ReachEstimate>;
}

/** What Altcraft can write through campaign-mcp. */
export const ALTCRAFT_WRITE_CAPABILITIES: WriteCapabilities = {
  create: ALTCRAFT_SEND_CHANNELS,
  send: { channels: ALTCRAFT_SEND_CHANNELS, id_types: ALTCRAFT_ID_TYPES, batch_size: ALTCRAFT_BATCH_SIZE, needs_campaign_id: true },
  status: ['stop', 'pause', 'resume'],
};

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

/** Altcraft writes: broadcasts/add on a segment or list, triggers/start_batch through an API-triggered mailing, (de)activation. */
export class AltcraftWriter implements VendorWriter {
  readonly capabilities = ALTCRAFT_WRITE_CAPABILITIES;

  constructor(private readonly ctx: AltcraftWriterContext, private readonly http: HttpClient) {}

  async prepare(op: WriteOp, clock: () => Date, signal?: AbortSignal): Promise<WritePlan> {
    const head = { vendor: 'altcraft' as const, account: this.ctx.account };
    if (op.kind === 'create') {
      const { input } = op;
      this.channel(input.channel);
      requireContent('Altcraft', input.channel, input.content);
      const aud = altcraftAudience(input.audience);
      const schedule = resolveSchedule(input.schedule, this.ctx.timezone, clock());
      const reach = aud.estimate ? await this.ctx.estimateReach(input.channel, { segment_id: aud.estimate }, signal) : undefined;
      const body = {
        name: input.name, is_active: true, data_type: aud.data_type, data_id: aud.data_id, send_channel: input.channel,
        content: [channelContent(input.channel, input.content)],
        ...(schedule !== 'now' && { start_schedule: { type: 'once', start_time: altcraftStart(schedule.local) } }),
      };
      const preview: WritePreview = {
        ...head, operation: `create an active ${input.channel} broadcast "${input.name}"`, channel: input.channel, audience: aud.words,
        ...(reach && { estimated_reach: reach.estimated_reach }), content: contentExcerpt(input.content, input.channel),
        schedule: schedule === 'now' ? 'now' : { local: schedule.local, utc: schedule.utc, timezone: schedule.timezone },
        notes: [
          ...unusedContent(input.channel, input.content, ALTCRAFT_USED_CONTENT[input.channel] ?? ['body']),
          ...(reach?.note ? [`Reach: ${reach.note}.`] : aud.data_type === 'list' ? ['Altcraft gives no reach estimate for a whole database list.'] : []),
          ...(schedule === 'now' ? ['Created active without a start_schedule; Altcraft\'s pages do not say whether it then starts at once — if it waits, launch it in Altcraft.'] : [`start_schedule is the account's wall clock (${schedule.timezone}).`]),
        ],
      };
      return { parts: [{ request: { method: 'POST', path: `${API}campaigns/broadcasts/add`, body }, retry_safe: false }], preview };
    }
    if (op.kind === 'send') {
      const id = this.checkSend(op.input);
      const { count, duplicates_removed } = op.recipients;
      if (count < 1) throw new InputError('recipients is empty: give at least one id');
      const { campaign } = await this.ctx.getCampaign(`mailing-${id}`, signal);
      const raw = rec(campaign.raw);
      const m = { ...rec(raw.mailing), ...rec(raw.status) };
      if (m.type !== 'trigger') throw new InputError(`mailing-${id} ("${campaign.name}") is a ${String(m.type ?? campaign.delivery ?? 'non-trigger')} mailing; Altcraft sends to listed users only through an API-triggered trigger mailing`);
      if (m.is_active !== true) throw new InputError(`trigger mailing-${id} ("${campaign.name}") is not active; activate it (set_campaign_status resume) before sending`);
      if (typeof m.trigger_type === 'string' && m.trigger_type !== 'api') throw new InputError(`trigger mailing-${id} is launched by "${m.trigger_type}", not by an API call`);
      if (typeof m.send_channel === 'string' && m.send_channel !== op.input.channel) throw new InputError(`mailing-${id} sends ${m.send_channel}, not ${op.input.channel}`);
      return {
        parts: [],
        preview: {
          ...head, operation: `launch trigger mailing-${id} ("${campaign.name}") for ${count} listed ${count === 1 ? 'profile' : 'profiles'}`, channel: op.input.channel,
          audience: `${count} profiles matched by ${op.input.id_type}`, content: contentExcerpt(op.input.content, op.input.channel), schedule: 'now',
          counts: { recipients: count, duplicates_removed, batches: Math.ceil(count / ALTCRAFT_BATCH_SIZE), batch_size: ALTCRAFT_BATCH_SIZE },
          notes: [
            ...unusedContent(op.input.channel, op.input.content, ALTCRAFT_USED_CONTENT[op.input.channel] ?? ['body']),
            'The mailing\'s own template is sent; the given content is passed as its content override. Ids that match no profile are not sent (the answer lists the profiles reached).',
          ],
        },
      };
    }
    return this.prepareStatus(op.input, head, signal);
  }

  private channel(channel: Channel): void {
    if (!ALTCRAFT_SEND_CHANNELS.includes(channel)) throw new UnsupportedError('altcraft', `Altcraft mailings send ${ALTCRAFT_SEND_CHANNELS.join(', ')} through this API, not ${channel}`);
  }

  private checkSend(input: SendInput): number {
    const id = triggerId(input.campaign_id);
    this.channel(input.channel);
    matching(input.id_type);
    requireContent('Altcraft', input.channel, input.content);
    return id;
  }

  private async prepareStatus(input: StatusInput, head: { vendor: 'altcraft'; account: string }, signal?: AbortSignal): Promise<WritePlan> {
    const ref = parseRef(input.id);
    if (!ref) throw new InputError(`${ID_HELP}; got "${input.id}"`);
    if (ref.kind === 'campaign' && input.action === 'resume') {
      throw new UnsupportedError('altcraft', 'Altcraft documents no API to reactivate a campaign container (scampaigns/activate is unconfirmed); resume it in Altcraft, or resume its mailings (mailing-<id>)');
    }
    const { campaign } = await this.ctx.getCampaign(input.id, signal);
    const s = campaign.status;
    const live = s === 'running' || s === 'scheduled';
    const ok = input.action === 'resume' ? s === 'paused' || s === 'draft' : ref.kind === 'campaign' && input.action === 'stop' ? !['completed', 'archived'].includes(s) : live;
    if (!ok) throw new InputError(`cannot ${input.action} ${input.id} ("${campaign.name}"): it is ${campaign.vendor_status ?? s} (${s})`);
    const [method, body, note] = ref.kind === 'mailing'
      ? input.action === 'resume' ? ['campaigns/activate', { id: ref.id }, 'Activates the mailing again.']
        : ['campaigns/deactivate', { id: ref.id, ...(input.action === 'stop' && { abort_if_running: true }) }, `${input.action === 'stop' ? 'Altcraft has one deactivate for pause and stop; stop also aborts a run in progress.' : 'Deactivates the mailing; a run in progress finishes.'} ${INACTIVE_READS}`]
      : input.action === 'pause' ? ['scampaigns/deactivate', { id: ref.id }, 'Deactivates (pauses) the campaign.']
        : ['scampaigns/completed', { id: ref.id }, 'Completes the campaign: its mailings and scenarios become inactive, and Altcraft documents no way to reactivate it.'];
    const preview: WritePreview = { ...head, operation: `${input.action} ${input.id} ("${campaign.name}"), now ${campaign.vendor_status ?? s}`, channel: campaign.channel, notes: [note] };
    return { parts: [{ request: { method: 'POST', path: `${API}${method}`, body }, retry_safe: false }], preview };
  }

  sendPart(input: SendInput, ids: readonly string[], _index: number, _key: string): PlanPart {
    const id = triggerId(input.campaign_id);
    const field = matching(input.id_type);
    if (ids.length === 0 || ids.length > ALTCRAFT_BATCH_SIZE) throw new InputError(`an Altcraft batch holds 1 to ${ALTCRAFT_BATCH_SIZE} profiles, not ${ids.length}`);
    const body = { trigger_id: id, matching: field, data: ids.map((v) => ({ [field]: v })), content: channelContent(input.channel, input.content) };
    return { request: { method: 'POST', path: `${API}campaigns/triggers/start_batch`, body }, recipients: ids.length, retry_safe: false };
  }

  async execute(part: PlanPart, control?: PartControl): Promise<PartOutcome> {
    const method = part.request.path.slice(API.length);
    try {
      const res = await this.http.send({
        vendor: 'altcraft', method: 'POST', url: `${this.ctx.base}${part.request.path}`, headers: { authorization: `Bearer ${this.ctx.token}` },
        body: part.request.body, kind: 'write', describe: describeAltcraft, classify: envelopeStatus, ...sendControl(control),
      });
      const top = rec(res.body);
      if (res.body === undefined || typeof res.body !== 'object') return { state: 'unknown', message: `${method} answered without Altcraft's JSON envelope; it may have acted` };
      const code = envelopeStatus(res.body);
      if (code !== undefined) throw envelopeError(method, code, top);
      if (method === 'campaigns/triggers/start_batch') {
        const sent = (rec(part.request.body).data as unknown[] | undefined)?.length ?? part.recipients ?? 0;
        const result = Array.isArray(top.result) ? top.result : Array.isArray(top.data) ? top.data : undefined;
        if (!result) return { state: 'succeeded', message: `start_batch accepted the batch of ${sent}; its answer listed no profiles` };
        return { state: 'succeeded', accepted: result.length, ...(result.length < sent && { message: `${result.length} of ${sent} ids matched a profile and were sent` }) };
      }
      const newId = rec(top.data).id;
      return typeof newId === 'number' || typeof newId === 'string' ? { state: 'succeeded', vendor_ref: `mailing-${newId}` } : { state: 'succeeded' };
    } catch (err) {
      // 402 (tariff limit) may come part-way through a batch, and an envelope code outside 400-599 means nothing
      // documented: both stop the send, and neither is certain to have left the batch unsent, so neither is resent.
      return outcomeOfError(err, {
        contentError: (e) => e.status === 400 || e.status === 402,
        refusedWhole: (e) => e.status !== 402 && (e.code === undefined || (Number(e.code) >= 400 && Number(e.code) <= 599)),
      });
    }
  }
}

/** An `error != 0` envelope on a 2xx as a VendorError: 5xx means the vendor may have acted on a write. */
function envelopeError(method: string, status: number, top: Rec): VendorError {
  const text = typeof top.error_text === 'string' && top.error_text ? top.error_text : `${method} failed with error ${String(top.error)}`;
  const unknown = status >= 500;
  return new VendorError({
    vendor: 'altcraft', status, code: top.error as number, message: text, hint: unknown ? 'Altcraft may have acted on it: check in Altcraft before sending it again.' : hintFor(status),
    outcome: unknown ? 'unknown' : 'failed',
  });
}
