import type { VendorId } from './domain.js';
import type { RecipientSource } from './recipients.js';
import type { PlanPart, VendorAdapter, WriteOp, WritePreview } from './vendors/vendor.js';

// The write gate's types (src/confirm.ts): its settings, what it learns from a call, what a tool hands it.

export type WriteTool = 'create_campaign' | 'send_to_users' | 'set_campaign_status';

/** Policy and behaviour of the gate, from configuration. */
export interface GateSettings {
  /** How long a preview's token may be confirmed (the first time). */
  ttlMs: number;
  /** Most recipients one send may reach (CAMPAIGN_MCP_MAX_RECIPIENTS). */
  maxRecipients: number;
  /** Vendors allowed to write (CAMPAIGN_MCP_WRITE_VENDORS); undefined = every configured vendor. */
  writeVendors?: readonly VendorId[];
  /** Also ask the person directly: always (refuse when the client cannot), auto (when it can), never. */
  ask: 'always' | 'auto' | 'never';
  /** Parts in flight at once; the HTTP client keeps each vendor within its own limits. */
  concurrency: number;
  /** No batch starts after this long in one call (the rest stay pending; the same token continues). Default 40 s. */
  callBudgetMs?: number;
  /**
   * Writes to the sandbox's simulated accounts: bound into every argument hash, so a sandbox token never confirms a
   * write to a real account of the same name sharing the data directory, and neither repeats nor resends the other's.
   */
  sandbox?: boolean;
}

/** What the gate learns from the call: where to report progress, and the person's answer when they were asked. */
export interface GateCall {
  progress?(done: number, total: number, message?: string): unknown;
  /** The client can ask the person directly (elicitation / input_required). */
  canAsk?: boolean;
  /** How the person answered the approval question, when it was asked in an earlier round. */
  approval?: 'accepted' | 'declined' | 'cancelled' | 'missing';
}

/** The gate needs the person's approval first: the tool asks, and the client calls again with the answer. */
export interface ApprovalNeeded {
  status: 'approval_required';
  question: string;
}

/** One write as a tool hands it to the gate: validated arguments and the operation they mean. */
export interface WriteRequest {
  tool: WriteTool;
  adapter: VendorAdapter;
  /** The arguments that define the write (without confirm); their canonical hash is what the token binds. */
  args: Record<string, unknown>;
  op: WriteOp;
  recipients?: RecipientSource;
  confirm?: string;
  resendUnknown?: boolean;
}

/** What the gate keeps with a record so it executes exactly what was previewed. */
export interface StoredPlan {
  op: WriteOp;
  parts: PlanPart[];
  preview: WritePreview;
  source?: RecipientSource;
  batch_size?: number;
  recipients?: number;
  /** Per batch of a send, the digest of its recipients as previewed (src/recipients.ts batchDigest); absent in older records. */
  digests?: string[];
  /** Confirmed writes with these arguments (or, for resend_unknown, the ones it resends) the preview saw and noted. */
  noted?: string[];
  /** The project it was previewed on (VendorReader.project); absent on the sandbox and in older records. */
  project?: string;
}
