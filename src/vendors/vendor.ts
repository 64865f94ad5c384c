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
  create: boolean;
  send_to_users: boolean;
  status_actions: ReadonlyArray<'stop' | 'pause' | 'resume'>;
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

/** A write as prepared for the gate: the exact vendor request(s), built without sending anything. */
export interface PreparedWrite {
  vendor: VendorId;
  account: string;
  summary: string;
  requests: Array<{ method: string; path: string; body: unknown }>;
  recipients?: number;
  estimated_reach?: number;
}

/** The result of acting on one prepared request; `unknown` is never resent blindly. */
export interface WriteOutcome {
  state: 'succeeded' | 'failed' | 'unknown';
  vendor_ref?: string;
  message?: string;
}

export interface CreateInput {
  name: string;
  channel: Channel;
  audience: Audience;
  content: Content;
  schedule?: string;
}

export interface SendInput {
  channel: Channel;
  recipients: { ids: string[]; id_type: string };
  content: Content;
}

/**
 * One configured vendor account. Adapters are plain classes, one file each, with the vendor's
 * documented limits as named constants at the top. Reads are required; the write side is optional
 * and gated by `capabilities` so tools are only registered where a vendor can act.
 */
export interface VendorAdapter {
  readonly vendor: VendorId;
  /** The account label from configuration ("default" when there is one). */
  readonly account: string;
  readonly capabilities: Capabilities;
  listCampaigns(query: ListQuery, signal?: AbortSignal): Promise<ListResult>;
  getCampaign(id: string, options: GetOptions, signal?: AbortSignal): Promise<GetResult>;
  getReport(id: string, signal?: AbortSignal): Promise<CampaignReport>;
  estimateReach?(channel: Channel, audience: Audience, signal?: AbortSignal): Promise<ReachEstimate>;
  prepareCreate?(input: CreateInput): Promise<PreparedWrite>;
  prepareSend?(input: SendInput): Promise<PreparedWrite>;
  execute?(write: PreparedWrite, index: number, idempotencyKey: string): Promise<WriteOutcome>;
  close?(): Promise<void>;
}
