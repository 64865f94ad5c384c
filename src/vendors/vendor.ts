import type { Outcome } from '../errors.js';
import type {
  Audience, CampaignDetail, CampaignReport, CampaignSummary, Channel, Content, ReachEstimate, Status, VendorId,
} from '../domain.js';

/** What an adapter can do; tools are registered and described from this, never guessed in handlers. */
export interface Capabilities {
  list: true;
  /** Server-side text search; when false the listing is filtered locally. */
  search_server_side: boolean;
  report: boolean;
  estimate_reach: boolean;
  /** Why there is no estimate and what the vendor offers instead (shown by list_vendors and estimate_reach). */
  estimate_reach_alternative?: string;
  channels: ReadonlyArray<Channel>;
  /** Listing is bounded by dates (CleverTap): the default window and per-request maximum. */
  date_windowed?: { default_days: number; max_days: number };
}

/** Filters for a listing; dates are YYYY-MM-DD and inclusive. */
export interface ListQuery {
  from?: string;
  to?: string;
  status?: Status;
  channel?: Channel;
  /** Case-insensitive text matched against name and tags. */
  query?: string;
}

/** A complete listing for one account: every matching campaign, and how far it looked. */
export interface ListResult {
  campaigns: CampaignSummary[];
  /** The date range actually covered, when the vendor bounds listing by dates. */
  range?: { from: string; to: string };
  /** What this account could not tell (a secondary endpoint failed): e.g. channels or tags unknown. */
  warnings?: string[];
  /** Requests made, for tests and benchmarks. */
  requests?: number;
}

export interface GetOptions {
  raw?: boolean;
  from?: string;
  to?: string;
}

export interface GetResult {
  campaign: CampaignDetail;
  /** How far the adapter looked, when the vendor can only find a campaign within dates. */
  range?: { from: string; to: string };
}

/** A status change a vendor may support. */
export const STATUS_ACTIONS = ['stop', 'pause', 'resume'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

/** Kinds of recipient id a send can match; vendors add their native kinds. */
export const ID_TYPES = ['identity', 'email', 'phone', 'objectId', 'install_id', 'profile_id'] as const;
export type IdType = (typeof ID_TYPES)[number];

export interface CreateInput {
  name: string;
  channel: Channel;
  audience: Audience;
  content: Content;
  /** ISO 8601; with an offset it is that instant, without one it is in the account's time zone; omitted = now. */
  schedule?: string;
}

export interface SendInput {
  channel: Channel;
  id_type: IdType;
  content: Content;
  /** The object a send goes through where the vendor needs one (Altcraft mailing, MoEngage Inform alert). */
  campaign_id?: string;
}

export interface StatusInput {
  id: string;
  action: StatusAction;
}

/** The one operation type a writer prepares: what the person asked for, validated. */
export type WriteOp =
  | { kind: 'create'; input: CreateInput }
  | { kind: 'send'; input: SendInput; /** counted after de-duplication; the ids reach the writer batch by batch */ recipients: { count: number; duplicates_removed: number } }
  | { kind: 'status'; input: StatusInput };

/** The exact vendor request of one part, without credentials (the adapter adds them when it sends). */
export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below the account's base URL, with its query string. */
  path: string;
  body?: unknown;
}

/** One part of a plan (a create, one batch of a send): stored with the confirmation and executed as is. */
export interface PlanPart {
  request: PlannedRequest;
  /** Further requests of the same part, where the vendor takes one recipient a request (MoEngage Inform). */
  more?: PlannedRequest[];
  /** Recipients this part reaches (a send's batch). */
  recipients?: number;
  /** The vendor documents an idempotency key this request carries: resending it cannot act twice. */
  retry_safe: boolean;
}

/** What a person sees before confirming, built once with the plan. */
export interface WritePreview {
  vendor: VendorId;
  account: string;
  operation: string;
  channel?: Channel;
  /** The audience in words. */
  audience?: string;
  estimated_reach?: number;
  content?: string;
  /** In the account's time zone and in UTC. */
  schedule?: { local: string; utc: string; timezone: string } | 'now';
  counts?: { recipients: number; duplicates_removed: number; batches: number; batch_size: number };
  notes?: string[];
}

/** A write as prepared: the exact requests and what the person is shown. Nothing has been sent. */
export interface WritePlan {
  /** Every part of a create or status change; empty for a send, whose parts come from `sendPart` batch by batch. */
  parts: PlanPart[];
  preview: WritePreview;
}

/** The result of executing one part, in the journal's vocabulary; a vendor's answer never throws. */
export interface PartOutcome {
  state: Outcome;
  vendor_ref?: string;
  message?: string;
  /** A refusal that applies to every part (bad credentials, bad content): stop and leave the rest pending. */
  fatal?: boolean;
  /** The vendor certainly did not act (a 429, a refused connection): the part may be sent again. */
  not_acted?: boolean;
  /** For a part of several requests: how many the vendor accepted. */
  accepted?: number;
  /** For a part of several requests whose recipients do not all stand alike: one letter each (src/part-letters.ts). */
  each?: string;
}

/**
 * How the gate steers one part's requests (HttpRequest `beforeSend` and `onSend`): `halt` stops a request still
 * waiting its turn, never one on the wire; `onSend` runs just before each goes out (the gate journals the attempt).
 */
export interface PartControl {
  halt?: AbortSignal;
  onSend?: () => Promise<void>;
}

/** What a writer can do; list_vendors and tool registration read this, never guess. */
export interface WriteCapabilities {
  create: ReadonlyArray<Channel>;
  send: { channels: ReadonlyArray<Channel>; id_types: ReadonlyArray<IdType>; batch_size: number; needs_campaign_id: boolean };
  status: ReadonlyArray<StatusAction>;
}

/** The optional write side of an adapter: prepare a plan without sending, then execute it part by part. */
export interface VendorWriter {
  readonly capabilities: WriteCapabilities;
  /** Validate and build the exact requests; may read (an estimate, a state check), never writes. */
  prepare(op: WriteOp, clock: () => Date, signal?: AbortSignal): Promise<WritePlan>;
  /**
   * The part for one batch of a send: pure and deterministic (no clock, no randomness; `key` is the
   * gate's idempotency key for this batch), so the batch rebuilt from the stored recipients is the one previewed.
   */
  sendPart(input: SendInput, ids: readonly string[], index: number, key: string): PlanPart;
  /** Send one planned part; every vendor answer (and network fault) becomes an outcome. */
  execute(part: PlanPart, control?: PartControl): Promise<PartOutcome>;
}

/** The read side every adapter has. */
export interface VendorReader {
  readonly vendor: VendorId;
  /** The account label from configuration ("default" when there is one). */
  readonly account: string;
  /** Which project the account reaches (common.ts projectDigest): what a confirm token binds beside the label. */
  readonly project: string;
  /** IANA time zone of the account: its local times and schedules. */
  readonly timezone?: string;
  readonly capabilities: Capabilities;
  listCampaigns(query: ListQuery, signal?: AbortSignal): Promise<ListResult>;
  getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult>;
  getReport(id: string, signal?: AbortSignal): Promise<CampaignReport>;
  estimateReach?(channel: Channel, audience: Audience, signal?: AbortSignal): Promise<ReachEstimate>;
  close?(): Promise<void>;
}

/**
 * One configured vendor account. Adapters are plain classes, one file each, with the vendor's
 * documented limits as named constants at the top. Reads are required; `writer` exists only where
 * the code to write exists, and tools are registered from it.
 */
export interface VendorAdapter extends VendorReader {
  readonly writer?: VendorWriter;
}
