import { mapLimit } from '../concurrency.js';
import { InputError, UnsupportedError, VendorError } from '../errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.js';
import { isObject } from './common.js';
import { channelRefusal, classifyMoe, describeInform } from './moengage-errors.js';
import { INFORM_CHANNELS, MOENGAGE_USED_CONTENT, audienceWords, createBody, digest, informBody, informPreview } from './moengage-write-map.js';
import { contentExcerpt, requireContent, unusedContent } from './write-input.js';
import { resolveSchedule } from './schedule.js';
import type {
  GetResult, PartControl, PartOutcome, PlanPart, PlannedRequest, SendInput, StatusInput, VendorWriter, WriteCapabilities, WriteOp, WritePlan, WritePreview,
} from './vendor.js';
import { NOT_SENT, outcomeOfError, sendControl, unexpectedAnswer } from './write-outcome.js';
import { describeLetters, letterOf, settleLetters } from '../part-letters.js';

/**
 * Successful creations: 5/min, 25/h, 100/day (rate-limits.mdx); the yaml says 5/s. We pace to the stricter page, each
 * window 10% longer than documented: a sixth creation sent exactly a minute after the first may land inside
 * MoEngage's minute (network jitter), and a margin costs creations nothing they could have had.
 */
export const CREATE_WINDOWS = [{ limit: 5, ms: 66_000 }, { limit: 25, ms: 3_960_000 }, { limit: 100, ms: 95_040_000 }] as const;
/** Longest wait for a creation slot inside one call (a minute's window and its margin); beyond it the part is refused before sending. */
const MAX_CREATE_WAIT_MS = 70_000;
/** Inform alerts/send: 10,000/min (notes §2 rate limits); one request per 7 ms is ≈8,570/min, a 14% margin. */
const INFORM_PACE_MS = 7;
/** Inform requests of one part in flight at once (pacing, not this, sets the rate). */
const INFORM_CONCURRENCY = 8;
/** Inform 500: "retry up to 3 times with exponential backoff" (inform.yaml); the same transaction_id makes it safe for 5 min. */
const INFORM_RETRIES = 3;
const INFORM_BACKOFF_MS = 200;
/** Inform's documented duplicate answer (inform.yaml 409). */
const DUPLICATE = 120105;
/** Inform's "Invalid Alert ID" (inform.yaml 400): refused for every recipient alike. */
const INVALID_ALERT = 120002;
/** Batches of Inform requests the gate journals as one part. */
const SEND_BATCH = 100;
const CREATE_PATH = '/core-services/v1/campaigns';
const STATUS_PATH = '/core-services/v1/campaigns/status';
const INFORM_PATH = '/v1.0/alerts/send';

/** What the writer needs from its adapter: identity, where to send, and a read for state checks. */
export interface MoEngageWriterContext {
  account: string;
  timezone: string;
  workspaceId: string;
  base: string;
  headers: Record<string, string>;
  createdBy?: string;
  getCampaign(id: string, signal?: AbortSignal): Promise<GetResult>;
}

/** What MoEngage can write through campaign-mcp. */
export const MOENGAGE_WRITE_CAPABILITIES: WriteCapabilities = {
  create: ['push', 'email'],
  send: { channels: ['email', 'sms'], id_types: ['email', 'phone'], batch_size: SEND_BATCH, needs_campaign_id: true },
  status: ['stop', 'pause', 'resume'],
};

/** MoEngage writes: v1 create (PUSH, EMAIL), Inform alerts/send one user a request, v1 campaigns/status. */
export class MoEngageWriter implements VendorWriter {
  readonly capabilities = MOENGAGE_WRITE_CAPABILITIES;

  constructor(private readonly ctx: MoEngageWriterContext, private readonly http: HttpClient) {}

  async prepare(op: WriteOp, clock: () => Date, signal?: AbortSignal): Promise<WritePlan> {
    const head = { vendor: 'moengage' as const, account: this.ctx.account };
    const rid = (what: unknown) => `cm-${digest(JSON.stringify(what), clock().toISOString()).slice(0, 32)}`;
    if (op.kind === 'create') {
      const { input } = op;
      if (input.channel !== 'push' && input.channel !== 'email') {
        throw new UnsupportedError('moengage', `MoEngage's create API makes push and email campaigns only, not ${input.channel}; for sms, send through an Inform alert with send_to_users`);
      }
      requireContent('MoEngage', input.channel, input.content);
      if (!this.ctx.createdBy) throw new InputError('MOENGAGE_CREATED_BY is not set: MoEngage records a creator for every campaign made through its API. Set it to the email of a MoEngage dashboard user (createdBy in a --config account)');
      const schedule = resolveSchedule(input.schedule, this.ctx.timezone, clock());
      const body = createBody({ ...input, channel: input.channel }, this.ctx.createdBy, rid(op.input), schedule);
      const preview: WritePreview = {
        ...head, operation: `create a one-time ${input.channel} campaign "${input.name}"`, channel: input.channel,
        audience: audienceWords(input.audience), content: contentExcerpt(input.content, input.channel), schedule: schedule === 'now' ? 'now' : { local: schedule.local, utc: schedule.utc, timezone: schedule.timezone },
        notes: [
          ...unusedContent(input.channel, input.content, MOENGAGE_USED_CONTENT[input.channel]),
          'MoEngage documents two creation quotas (5/s and 5 successful creations a minute, 25/h, 100/day); creates are paced to the stricter.',
          'MoEngage has no reach estimate before a campaign exists; once scheduled, get_campaign shows its daily reachable count.',
          ...(input.channel === 'email' ? ['Sent as PROMOTIONAL through the workspace\'s default connector; MoEngage may ask for a subscription category, which this tool does not set yet.'] : []),
        ],
      };
      return { parts: [{ request: { method: 'POST', path: CREATE_PATH, body }, retry_safe: true }], preview };
    }
    if (op.kind === 'send') {
      const ch = this.sendChannel(op.input);
      requireContent('MoEngage', op.input.channel, op.input.content);
      if (op.recipients.count < 1) throw new InputError('recipients is empty: give at least one id');
      return { parts: [], preview: informPreview(head, op.input, ch.id_type, op.recipients, SEND_BATCH) };
    }
    return this.prepareStatus(op.input, rid, head, signal);
  }

  private sendChannel(input: SendInput) {
    if (!input.campaign_id?.trim()) throw new InputError('MoEngage sends to listed users only through an Inform alert: pass campaign_id, the alert id from Inform → Alerts in the dashboard');
    const ch = INFORM_CHANNELS[input.channel];
    if (!ch) {
      throw new UnsupportedError('moengage', input.channel === 'push'
        ? 'Inform\'s PUSH payload is addressed by a device push token, which send_to_users does not take; send email or sms, or create a push campaign for a segment'
        : `Inform sends email and sms to listed users, not ${input.channel}`);
    }
    if (input.id_type !== ch.id_type) {
      throw new InputError(`MoEngage Inform addresses ${input.channel} by ${ch.id_type === 'email' ? 'email address' : 'phone number'}: use id_type ${ch.id_type} (it takes email for the email channel, phone for sms), not ${input.id_type}`);
    }
    return ch;
  }

  private async prepareStatus(input: StatusInput, rid: (x: unknown) => string, head: { vendor: 'moengage'; account: string }, signal?: AbortSignal): Promise<WritePlan> {
    const { campaign } = await this.ctx.getCampaign(input.id, signal);
    const raw = (campaign.raw ?? {}) as Record<string, unknown>;
    const type = String(raw.campaign_delivery_type ?? '').toUpperCase();
    const state = `${campaign.vendor_status ?? campaign.status}, ${type || campaign.delivery || 'unknown delivery type'}`;
    // Notes §2(g): pause and resume work on periodic and event-triggered campaigns, and on push also device- and location-triggered ones.
    const recurring = type === 'PERIODIC' || type === 'EVENT_TRIGGERED' || (campaign.channel === 'push' && (type === 'DEVICE_TRIGGERED' || type === 'LOCATION_TRIGGERED'));
    const allowed = input.action === 'stop' ? campaign.status === 'scheduled' && type === 'ONE_TIME'
      : input.action === 'pause' ? campaign.status === 'running' && recurring : campaign.status === 'paused' && recurring;
    if (!allowed) {
      const rule = input.action === 'stop' ? 'MoEngage stops only a scheduled one-time campaign (once it is active it cannot be stopped)'
        : `MoEngage ${input.action === 'pause' ? 'pauses only a running' : 'resumes only a paused'} periodic or event-triggered campaign (on push, also device- or location-triggered)`;
      throw new InputError(`cannot ${input.action} campaign ${input.id} ("${campaign.name}", ${state}): ${rule}`);
    }
    const body = { request_id: rid(input), action: input.action.toUpperCase(), campaign_ids: [input.id] };
    const preview: WritePreview = {
      ...head, operation: `${input.action} campaign "${campaign.name}" (${input.id}), now ${state}`, channel: campaign.channel,
      notes: ['MoEngage changes the status only of campaigns created through its API.'],
    };
    return { parts: [{ request: { method: 'POST', path: STATUS_PATH, body }, retry_safe: false }], preview };
  }

  sendPart(input: SendInput, ids: readonly string[], _index: number, key: string): PlanPart {
    const ch = this.sendChannel(input);
    const requests: PlannedRequest[] = ids.map((id) => ({ method: 'POST', path: INFORM_PATH, body: informBody(input.campaign_id!.trim(), ch.word, id, input.content, key) }));
    const [request, ...more] = requests;
    if (!request) throw new InputError('a send batch needs at least one recipient');
    return { request, ...(more.length && { more }), recipients: ids.length, retry_safe: false };
  }

  async execute(part: PlanPart, control?: PartControl): Promise<PartOutcome> {
    if (part.request.path === INFORM_PATH) return this.informPart([part.request, ...(part.more ?? [])], control);
    if (part.request.path === CREATE_PATH) {
      const wait = await this.createSlot();
      if (wait > MAX_CREATE_WAIT_MS) {
        return { state: 'failed', not_acted: true, message: `MoEngage's creation quota (5 a minute, 25 an hour, 100 a day) is used up; try again after ${new Date(this.http.clock.now() + wait).toISOString().slice(11, 16)} UTC` };
      }
      if (wait > 0 && !(await this.waitUnlessHalted(wait, control))) return NOT_SENT;
    }
    try {
      // An error envelope on a 2xx is handled as its effective status (a named 5xx may have acted, a 429 did not).
      // A create carries its request_id (retry_safe): a repeat after one that acted is refused as a used request_id (409, below).
      const res = await this.post(part.request, { classify: classifyMoe, ...(part.retry_safe && { idempotent: true }), ...sendControl(control) });
      // campaigns/status answers "200 with an empty body" (notes §2 (g)); a create, 201 {campaign_id} (notes §2 (e)).
      if (part.request.path !== CREATE_PATH) {
        return res.text.trim() === '' || isObject(res.body) ? { state: 'succeeded' } : unexpectedAnswer('MoEngage', res, 'the documented empty answer');
      }
      const id = isObject(res.body) ? res.body.campaign_id : undefined;
      return typeof id === 'string' && id !== '' ? { state: 'succeeded', vendor_ref: id } : unexpectedAnswer('MoEngage', res, 'the created campaign\'s campaign_id');
    } catch (err) {
      // The retry's own answer (http.ts keeps it as the cause of an error after an attempt that may have acted).
      const own = err instanceof VendorError && err.cause instanceof VendorError ? err.cause : err;
      if (own instanceof VendorError && own.status === 409 && part.request.path === CREATE_PATH && /request_id/i.test(own.message)) {
        return { state: 'succeeded', message: 'MoEngage refused this request_id as already used by a successful create: the campaign exists; find it with list_campaigns' };
      }
      return outcomeOfError(err, { contentError: (e) => e.status === 400 });
    }
  }

  /** One Inform request per recipient; an unknown answer is retried with the same transaction_id inside its 5-minute window. */
  private async informPart(requests: PlannedRequest[], control?: PartControl): Promise<PartOutcome> {
    let fatal: PartOutcome | undefined;
    const results = await mapLimit(requests, INFORM_CONCURRENCY, async (r): Promise<PartOutcome | undefined> => (fatal || control?.halt?.aborted ? undefined : this.informOne(r, control).then((o) => {
      if (o?.fatal) fatal ??= o;
      return o;
    })));
    const accepted = results.filter((o) => o?.state === 'succeeded').length;
    if (accepted === requests.length) return { state: 'succeeded', accepted };
    // Each recipient where it stands: the same token later sends exactly those not acted on (never one sent already).
    const each = results.map((o) => (o === undefined ? 'p' : letterOf(o))).join('');
    const first = (results.find((o) => o?.state === 'unknown') ?? results.find((o) => o?.state === 'failed'))?.message;
    const message = `${describeLetters(each)}${first ? `; first problem: ${first}` : ''}`;
    // A refusal that applies to all (a revoked key, an unknown alert) stops the whole send, however far this part got.
    return { ...settleLetters(each), accepted, message, ...(fatal && { fatal: true }) };
  }

  /** Wait `ms` unless the gate halts the write meanwhile: false when it did (nothing was sent). */
  private async waitUnlessHalted(ms: number, control?: PartControl): Promise<boolean> {
    return this.http.clock.sleep(ms, control?.halt).then(() => true, () => false);
  }

  /** One recipient's request; undefined when the gate halted it before it went out. */
  private async informOne(r: PlannedRequest, control?: PartControl): Promise<PartOutcome | undefined> {
    let unknown: PartOutcome | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.post(r, { describe: describeInform, pace: { key: `moengage:${this.ctx.workspaceId}:inform`, intervalMs: INFORM_PACE_MS }, ...sendControl(control) });
        // "Successfully Received" with a request_id (inform.yaml 200): a page that is no JSON object may be a proxy's.
        if (!isObject(res.body)) return unexpectedAnswer('MoEngage', res, 'Inform\'s JSON answer');
        const refused = channelRefusal(res.body, r.body);
        return refused ? { state: 'failed', message: refused } : { state: 'succeeded' };
      } catch (err) {
        if (err instanceof VendorError && err.status === 409 && err.code === DUPLICATE) return { state: 'succeeded', message: 'already accepted (duplicate transaction_id)' };
        const o = outcomeOfError(err, { contentError: (e) => e.status === 400 && e.code === INVALID_ALERT });
        // After an unknown answer, a refusal of the retry (or a halt before it) says nothing of the first attempt,
        // which may have reached MoEngage: the recipient stays unknown, never sent again by the same token.
        if (o.state !== 'unknown') {
          if (unknown) return { ...unknown, ...(o.fatal && { fatal: true }) };
          // Halted while it waited its turn: never sent (pending), unlike one MoEngage refused (failed).
          return err instanceof VendorError && err.notSent && control?.halt?.aborted ? undefined : o;
        }
        unknown = o;
        if (attempt >= INFORM_RETRIES) return o;
        if (!(await this.waitUnlessHalted(INFORM_BACKOFF_MS * 2 ** attempt, control))) return o;
      }
    }
  }

  private post(req: PlannedRequest, extra: Partial<HttpRequest>): Promise<HttpResponse> {
    return this.http.send({
      vendor: 'moengage', method: req.method, url: `${this.ctx.base}${req.path}`, headers: this.ctx.headers, body: req.body, kind: 'write',
      describe: (status, body) => describeInform(status, body), ...extra,
    });
  }

  /**
   * Reserve a creation slot under every window, in the HTTP client's rate windows (shared like its pacing);
   * milliseconds until it may be sent. A slot too far off is given back: that part is refused, not queued.
   */
  private async createSlot(): Promise<number> {
    const key = `moengage:${this.ctx.workspaceId}:create`;
    const now = this.http.clock.now();
    const at = await this.http.rates.reserve(key, 0, now, CREATE_WINDOWS);
    if (at - now > MAX_CREATE_WAIT_MS) await this.http.rates.release(key, at, 0);
    return at - now;
  }
}
