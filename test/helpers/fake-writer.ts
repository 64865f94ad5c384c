import type { SendInput, PartControl, PartOutcome, PlanPart, VendorWriter, WriteOp, WritePlan } from '../../src/vendors/vendor.js';
import { FakeAdapter } from './fake-adapter.js';

/** How the fake vendor answers one part, by part index. */
export type Fault = 'unknown' | 'fail' | 'fatal' | 'not_acted' | 'unknown_after_acting';

/** An in-memory vendor write side: records what it "delivered", and can be told to fail per part. */
export class FakeWriter implements VendorWriter {
  /** Every recipient reached, in order: a recipient twice here is a duplicate send. */
  delivered: string[] = [];
  created: unknown[] = [];
  executed = 0;
  prepared = 0;
  faults = new Map<number, Fault>();
  /** Hold every execute until released, to test races and crashes mid-send. */
  gate?: Promise<void>;
  readonly capabilities = {
    create: ['push', 'email'] as const,
    send: { channels: ['push', 'email'] as const, id_types: ['identity', 'email'] as const, batch_size: 1000, needs_campaign_id: false },
    status: ['stop'] as const,
  };

  async prepare(op: WriteOp, clock: () => Date): Promise<WritePlan> {
    this.prepared++;
    const base = { vendor: 'clevertap' as const, account: 'default', channel: op.kind === 'status' ? undefined : op.input.channel };
    if (op.kind === 'create') {
      // A fresh request id at preview time: the gate must execute this one, never a re-prepared one.
      const body = { name: op.input.name, request_id: `r-${clock().getTime()}-${Math.random()}` };
      return { parts: [{ request: { method: 'POST', path: '/create', body }, retry_safe: false }], preview: { ...base, operation: 'create campaign', content: op.input.content.body } };
    }
    if (op.kind === 'status') return { parts: [{ request: { method: 'POST', path: '/stop', body: { id: op.input.id } }, retry_safe: false }], preview: { ...base, operation: `${op.input.action} campaign ${op.input.id}` } };
    const { count, duplicates_removed } = op.recipients;
    return { parts: [], preview: { ...base, operation: 'send', content: op.input.content.body, counts: { recipients: count, duplicates_removed, batches: Math.ceil(count / 1000), batch_size: 1000 } } };
  }

  sendPart(input: SendInput, ids: readonly string[], index: number, key: string): PlanPart {
    return { request: { method: 'POST', path: '/send', body: { ids: [...ids], key, index, channel: input.channel } }, recipients: ids.length, retry_safe: false };
  }

  /** Parts the gate halted before they went out (a real writer's request stopped in the HTTP client's queue). */
  halted = 0;
  /** Set to make part `index` wait "for its turn" first, as a paced request does, so a halt can stop it there. */
  turn?: (index: number) => Promise<void>;
  /** Requests per part, going out together (a MoEngage Inform part sends several): each asks the gate to journal first. */
  requestsPerPart = 1;

  async execute(part: PlanPart, control?: PartControl): Promise<PartOutcome> {
    // As the HTTP client does: wait for its turn, stop there if halted, journal the attempt, then send (held by `gate`).
    if (this.turn) await this.turn((part.request.body as { index?: number }).index ?? 0);
    if (control?.halt?.aborted) {
      this.halted++;
      return { state: 'failed', not_acted: true, message: 'not sent: halted' };
    }
    await Promise.all(Array.from({ length: this.requestsPerPart }, () => control?.onSend?.()));
    if (this.gate) await this.gate;
    this.executed++;
    const body = part.request.body as { ids?: string[]; index?: number; name?: string };
    const fault = this.faults.get(body.index ?? 0);
    if (fault === 'fail') return { state: 'failed', message: 'refused: bad id' };
    if (fault === 'fatal') return { state: 'failed', message: 'HTTP 401', fatal: true, not_acted: true };
    if (fault === 'not_acted') return { state: 'failed', message: 'HTTP 429', not_acted: true };
    if (fault === 'unknown') return { state: 'unknown', message: 'no answer within 20 s' };
    if (body.ids) this.delivered.push(...body.ids);
    else this.created.push(part.request.body);
    if (fault === 'unknown_after_acting') return { state: 'unknown', message: 'connection lost after sending' };
    return { state: 'succeeded', vendor_ref: body.ids ? `q-${body.index}` : 'cmp-1' };
  }
}

/** A fake adapter with the fake writer attached. */
export function writableAdapter(): FakeAdapter & { writer: FakeWriter } {
  const a = new FakeAdapter('clevertap', 'default', []) as FakeAdapter & { writer: FakeWriter };
  (a as { writer: FakeWriter }).writer = new FakeWriter();
  return a;
}
