import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';
import type { WriteRecord } from './journal.js';
import { countBatches } from './recipients.js';
import type { Store } from './store.js';
import type { TokenSigner } from './tokens.js';
import { hashOf, projectOf } from './gate-hash.js';
import type { VendorAdapter, VendorWriter } from './vendors/vendor.js';
import { buildResult, describePreview, type WriteOutcomeResult, type WriteResult } from './write-result.js';
import { storeLost } from './write-lost.js';
import type { ApprovalNeeded, GateCall, GateSettings, StoredPlan, WriteRequest } from './gate-types.js';
import { executeParts } from './gate-execute.js';
import { hasUnsent } from './part-letters.js';
import { requireStillAhead } from './vendors/schedule.js';
import { RepeatGuard, describeConfirmed } from './gate-repeat.js';
import { unknownOf } from './gate-resend.js';

export type { WriteResult } from './write-result.js';
export type { ApprovalNeeded, GateCall, GateSettings, WriteRequest, WriteTool } from './gate-types.js';
const LEASE_MS = 120_000;
const WAIT_FOR_LEASE_MS = 30_000;

/**
 * The write gate: without a token, validate, build the exact plan, journal it and return a preview with a
 * token bound to the arguments' hash; with the token and the same arguments, act once. The same token again
 * replays the recorded outcome, or resumes batches never sent; unknown batches are never resent with it.
 */
export class WriteGate {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly owner = randomBytes(6).toString('hex');
  private readonly repeats: RepeatGuard;

  constructor(
    private readonly store: Store,
    private readonly signer: TokenSigner,
    private readonly settings: GateSettings,
    private readonly now: () => Date = () => new Date(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.repeats = new RepeatGuard(store, this.owner, sleep);
  }

  /** The hashes a token's write repeats: its own arguments', and for resend_unknown the resent write's too. */
  private hashesOf(req: WriteRequest, hash: string): string[] {
    return [...new Set([...this.ownHashes(req, hash), ...(req.resendUnknown ? this.ownHashes(req, hashOf(req, req.args, this.settings.sandbox, false), false) : [])])];
  }

  /**
   * `hash` and, off the sandbox, the same arguments hashed without the project: how records journaled before tokens
   * bound the project were hashed. They are found by their account label, as they were then.
   */
  private ownHashes(req: WriteRequest, hash: string, resend = req.resendUnknown): string[] {
    return this.settings.sandbox ? [hash] : [...new Set([hash, hashOf(req, req.args, false, resend, true)])];
  }

  /** Run one write call: a preview without `confirm`, the write (once) with it. */
  async handle(req: WriteRequest, call: GateCall = {}, signal?: AbortSignal): Promise<WriteResult | ApprovalNeeded> {
    const writer = this.writerOf(req.adapter);
    const hash = hashOf(req, req.args, this.settings.sandbox);
    if (!req.confirm) return this.preview(req, writer, hash, signal);
    return this.act(req, writer, hash, call, signal);
  }

  /** Whether these arguments are the token's but for the recipients_file's content (its hash as previewed). */
  private async fileChanged(req: WriteRequest, claims: { id: string; hash: string }): Promise<boolean> {
    const file = (req.args as { recipients_file?: { path: string; sha256: string } }).recipients_file;
    const plan = (await this.store.getWrite(claims.id))?.plan as StoredPlan | undefined;
    const was = plan?.source;
    if (!file || was?.kind !== 'file' || was.sha256 === file.sha256) return false;
    const asPreviewed = { ...req.args, recipients_file: { ...file, sha256: was.sha256 } };
    if (hashOf(req, asPreviewed, this.settings.sandbox) === claims.hash) return true;
    // A header that now names another id type (recipients_file alone): the same arguments, a changed file.
    const idType = plan?.op.kind === 'send' ? plan.op.input.id_type : undefined;
    const args = req.args as { recipients?: Record<string, unknown>; id_type?: string };
    if (!idType || args.id_type === idType) return false;
    return hashOf(req, { ...asPreviewed, id_type: idType, ...(args.recipients && { recipients: { ...args.recipients, id_type: idType } }) }, this.settings.sandbox) === claims.hash;
  }

  private writerOf(adapter: VendorAdapter): VendorWriter {
    const allowed = this.settings.writeVendors;
    if (allowed && !allowed.includes(adapter.vendor)) {
      throw new InputError(`writes to ${adapter.vendor} are not allowed by CAMPAIGN_MCP_WRITE_VENDORS (${allowed.join(', ') || 'none'}); add ${adapter.vendor} to it to allow them`);
    }
    if (!adapter.writer) throw new InputError(`${adapter.vendor} has no write support in campaign-mcp`);
    return adapter.writer;
  }

  private async preview(req: WriteRequest, writer: VendorWriter, hash: string, signal?: AbortSignal): Promise<WriteResult> {
    let op = req.op;
    let source = req.recipients;
    let digests: string[] | undefined;
    const batchSize = writer.capabilities.send.batch_size;
    if (op.kind === 'send') {
      if (req.resendUnknown) source = await unknownOf(this.store, this.hashesOf(req, hash), batchSize, (id) => this.running.has(id), this.owner);
      if (!source) throw new InputError('give recipients: { ids, id_type } or recipients_file');
      const { digests: batchDigests, ...counted } = await countBatches(source, op.input.id_type, batchSize);
      digests = batchDigests;
      if (counted.count === 0) throw new InputError('there are no recipients: recipients.ids (or the file) is empty after removing blanks and duplicates');
      if (counted.count > this.settings.maxRecipients) {
        throw new InputError(`${counted.count} recipients is more than the ${this.settings.maxRecipients} one send may reach (CAMPAIGN_MCP_MAX_RECIPIENTS); split the send or raise that setting`);
      }
      op = { ...op, recipients: counted };
    }
    const plan = await writer.prepare(op, this.now, signal);
    const [again] = await this.repeats.confirmed(this.ownHashes(req, hash));
    if (again) plan.preview.notes = [...plan.preview.notes ?? [], `${describeConfirmed(again)}: confirming this token does it again.`];
    const noted = (await this.repeats.confirmed(this.hashesOf(req, hash))).map((r) => r.id);
    const recipients = op.kind === 'send' ? op.recipients.count : undefined;
    const partCount = recipients !== undefined ? Math.ceil(recipients / batchSize) : plan.parts.length;
    if (partCount === 0) throw new Error(`${req.adapter.vendor} prepared a write with nothing to send`);
    const created = this.now();
    // Whole seconds, as the token keeps it: the expires_at a preview shows is the instant the token stops working.
    const expires = new Date(Math.floor((created.getTime() + this.settings.ttlMs) / 1000) * 1000);
    const id = randomBytes(9).toString('base64url');
    const project = projectOf(req, this.settings.sandbox);
    const stored: StoredPlan = {
      op, parts: plan.parts, preview: plan.preview, ...(project && { project }),
      ...(source ? { source, batch_size: batchSize, recipients, ...(digests && { digests }) } : {}), ...(noted.length && { noted }),
    };
    await this.store.createWrite({
      id, tool: req.tool, vendor: req.adapter.vendor, account: req.adapter.account, args_hash: hash,
      summary: describePreview(plan.preview), plan: stored, created_at: created.toISOString(), expires_at: expires.toISOString(), parts: partCount,
    });
    const confirm = this.signer.sign({ id, tool: req.tool, hash, expires: Math.floor(expires.getTime() / 1000) });
    return { status: 'confirmation_required', confirm, expires_at: expires.toISOString(), preview: plan.preview };
  }

  private async act(req: WriteRequest, writer: VendorWriter, hash: string, call: GateCall, signal?: AbortSignal): Promise<WriteResult | ApprovalNeeded> {
    const claims = this.signer.verify(req.confirm!);
    if (!claims) throw new InputError('this confirm token is not one this server issued (forged, mangled or signed with another secret); call again without confirm for a fresh preview');
    if (claims.tool !== req.tool) throw new InputError(`this confirm token is for ${claims.tool}, not ${req.tool}; nothing was written`);
    const issued = claims.hash === hash ? undefined : await this.store.getWrite(claims.id);
    const sameAccount = issued?.vendor === req.adapter.vendor && issued.account === req.adapter.account;
    const was = (issued?.plan as StoredPlan | undefined)?.project;
    // Journaled before tokens bound the project: its token matches by the account label, as it did then.
    if (sameAccount && !was && !this.settings.sandbox && claims.hash === hashOf(req, req.args, false, req.resendUnknown, true)) hash = claims.hash;
    if (claims.hash !== hash) {
      // The same account label on another project (another server's token, changed credentials): said as such.
      if (sameAccount && was && was !== projectOf(req, this.settings.sandbox)) {
        throw new InputError(`this confirm token was previewed on another ${req.adapter.vendor} project than the one the account "${req.adapter.account}" reaches now (another server's token, or its credentials or host changed since); nothing was written. Call again without confirm to preview on this project`);
      }
      if (await this.fileChanged(req, claims)) {
        const { path } = (req.args as { recipients_file: { path: string } }).recipients_file;
        throw new InputError(`the recipients_file ${path} changed since the preview (its content differs from the one previewed); nothing was written. Call again without confirm to preview the file as it is now`);
      }
      throw new InputError('the arguments differ from the ones this token was issued for; nothing was written. Call again without confirm to preview these arguments');
    }
    const rec = await this.store.getWrite(claims.id);
    if (!rec) throw new InputError('this write is not in the journal (another data directory, or it was compacted); call again without confirm for a fresh preview');
    if (!rec.confirmed_at && this.now().getTime() > claims.expires * 1000) {
      throw new InputError(`this confirm token expired at ${new Date(claims.expires * 1000).toISOString()}; nothing was written. Call again without confirm for a fresh preview`);
    }
    // A schedule that passed since the preview, also for a part the same token sends again (refused before acting).
    if (rec.parts.some(hasUnsent)) requireStillAhead((rec.plan as StoredPlan).preview.schedule, this.now());
    if (!rec.confirmed_at) {
      // Two previews of one write (a model that asked twice) give two tokens: the second acts only once a preview said so.
      await this.repeats.refuseUnseen(rec, this.hashesOf(req, hash));
      const declined = await this.askPerson(rec, call);
      if (declined) return declined;
    }
    // Checked again with the consume, one confirmation of these arguments at a time (the first check spares the person a question).
    const first = rec.confirmed_at ? await this.store.consume(rec.id, this.now().toISOString()) : await this.repeats.exclusive(hash, async () => {
      await this.repeats.refuseUnseen(rec, this.hashesOf(req, hash));
      return this.store.consume(rec.id, this.now().toISOString());
    });
    const inFlight = this.running.get(rec.id);
    if (inFlight) {
      await inFlight.catch(() => undefined);
      return this.recorded(rec.id, true, false);
    }
    const run = this.runParts(rec.id, writer, first, call, signal);
    this.running.set(rec.id, run);
    try {
      return await run;
    } finally {
      this.running.delete(rec.id);
    }
  }

  /** Where the client can ask the person (and the setting allows), their answer decides; a decline writes nothing. */
  private async askPerson(rec: WriteRecord, call: GateCall): Promise<WriteResult | ApprovalNeeded | undefined> {
    if (this.settings.ask === 'never') return undefined;
    if (!call.canAsk) {
      if (this.settings.ask === 'always') throw new InputError('CAMPAIGN_MCP_CONFIRM=always needs a client that can ask the person (elicitation); this one cannot. Nothing was written');
      return undefined;
    }
    const answer = call.approval ?? 'missing';
    if (answer === 'accepted') return undefined;
    if (answer === 'missing') return { status: 'approval_required', question: `Approve this write? ${rec.summary}` };
    const result = await this.recorded(rec.id, false, false);
    // DESIGN's outcome words: none accepted, none unknown is failed (isError); `approval` says it was the person's no.
    return { ...result, status: 'failed', approval: answer, message: `The person ${answer} it; nothing was written. The same token asks them again.` };
  }

  /** Send every part still to send, under a lease so one run at a time acts on a write. */
  private async runParts(id: string, writer: VendorWriter, first: boolean, call: GateCall, signal?: AbortSignal): Promise<WriteResult> {
    const waited = !(await this.store.acquireLease(id, this.owner, LEASE_MS));
    if (waited) {
      // Another process (instance) runs it: wait for it to finish or die (its lease lapses), then act on what is left.
      const until = this.now().getTime() + WAIT_FOR_LEASE_MS;
      let held = false;
      while (!held && this.now().getTime() < until) {
        await this.sleep(200);
        held = await this.store.acquireLease(id, this.owner, LEASE_MS);
      }
      if (!held) return this.recorded(id, true, false);
    }
    try {
      const rec = (await this.store.getWrite(id))!;
      const plan = rec.plan as StoredPlan;
      const todo = rec.parts.flatMap((p, i) => (hasUnsent(p) ? [i] : []));
      // Nothing left: the outcome was recorded by an earlier call, or by the one this call waited for.
      if (todo.length === 0) return this.recorded(id, !first || waited, false);
      // What this run learns is tracked on a copy: the store's own record is never changed behind its back.
      const mine = { ...rec, parts: rec.parts.map((p) => ({ ...p })) };
      const lost = await executeParts({ store: this.store, now: this.now, concurrency: this.settings.concurrency, budgetMs: this.settings.callBudgetMs ?? 40_000 }, mine, plan, writer, new Set(todo), call, signal);
      if (lost) return storeLost(mine, { recipients: plan.recipients, batchSize: plan.batch_size }, lost, !first);
      return this.recorded(id, false, !first);
    } finally {
      // With the store gone the lease cannot be given back; it lapses on its own.
      await this.store.releaseLease(id, this.owner).catch(() => undefined);
    }
  }

  private async recorded(id: string, replayed: boolean, resumed: boolean): Promise<WriteOutcomeResult> {
    const rec = (await this.store.getWrite(id))!;
    const plan = rec.plan as StoredPlan;
    return buildResult(rec, { recipients: plan.recipients, batchSize: plan.batch_size, replayed, resumed });
  }
}

export { renderWrite } from './write-result.js';
export { confirmField, writeOutput } from './write-tool.js';
export { fileSha256, idTypeFromHeader, type RecipientSource } from './recipients.js';
export { runWrite } from './write-tool.js';
