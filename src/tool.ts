import { z } from 'zod';
import type { VendorId } from './domain.js';
import { InputError } from './errors.js';
import type { WriteGate } from './confirm.js';
import type { CursorCodec } from './cursor.js';
import type { Limits } from './limits.js';
import type { Store } from './store.js';
import type { Asked, ToolCall } from './tool-call.js';
import type { AppView } from './app.js';
import type { VendorAdapter } from './vendors/vendor.js';
import type { Clock } from './clock.js';

/** read: no side effects; write: creates something; destructive: sends or stops. */
export type ToolKind = 'read' | 'write' | 'destructive';

/** What every handler receives: the configured adapters and shared per-server state. */
export interface ToolContext {
  adapters: readonly VendorAdapter[];
  sandbox: boolean;
  /** Listing snapshots behind cursors, write records and the journal, rate windows. */
  store: Store;
  /** The write gate; absent in read-only mode (no write tool is registered). */
  gate?: WriteGate;
  now(): Date;
  /** What the server's own waits run on (the audit's read spacing); the HTTP client's clock, real time by default. */
  clock?: Clock;
  /** Signs listing cursors with the server's persistent key; absent (contexts built by hand), one random key per process. */
  cursors?: CursorCodec;
  /** Deadline, result and input size limits (defaults in src/limits.ts). */
  limits?: Partial<Limits>;
  /** CAMPAIGN_MCP_WRITE_VENDORS: the vendors the gate lets write (undefined = every configured one), for list_vendors to say. */
  writeVendors?: readonly VendorId[];
  /** On the sandbox: the simulated object each vendor's send_to_users goes through (campaign_id), for list_vendors to name. */
  sendThrough?: Partial<Record<VendorId, string>>;
}

/** A handler's answer: structured content (matches outputSchema) and a compact text rendering. */
export interface ToolResult<S> {
  structured: S;
  text: string;
  /** A result that is a failure yet carries structured content (a write none of whose batches was accepted). */
  isError?: boolean;
}

export interface ToolDefinition<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  kind: ToolKind;
  inputSchema: I;
  outputSchema: O;
  /** `call` tells the client's era and capabilities and lets a handler ask the person (see ToolCall); a handler that asks returns `call.ask(...)`. */
  handler: (args: z.infer<z.ZodObject<I>>, ctx: ToolContext, signal: AbortSignal, call?: ToolCall) => Promise<ToolResult<z.infer<z.ZodObject<O>>> | Asked>;
  /** The verb used in error messages: "Could not <action> on <vendor>". */
  action: string;
  /**
   * What an account must be able to do for this tool: the tool is registered only when some configured
   * account can, and its `vendor` enum lists only the vendors that can.
   */
  available?: (adapter: VendorAdapter) => boolean;
  /** What a configured account that is not `available` offers instead, said when a call names its vendor. */
  instead?: (adapter: VendorAdapter) => string | undefined;
  /** The MCP Apps view (src/app.ts) that renders this tool's result, for clients that declare the extension. */
  app?: AppView;
}

/** Identity helper that only infers types, so each tool file reads as one declaration. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/** Every result may say it came from the sandbox. */
export const sandboxField = { sandbox: z.boolean().optional().describe('true when the data comes from the built-in simulators') };

/** The adapter for (vendor, account?), or a clear error naming what is configured. */
export function pickAdapter(ctx: ToolContext, vendor: VendorId, account?: string): VendorAdapter {
  const of = ctx.adapters.filter((a) => a.vendor === vendor);
  if (of.length === 0) {
    const configured = [...new Set(ctx.adapters.map((a) => a.vendor))];
    throw new InputError(
      `${vendor} is not configured${configured.length ? ` (configured: ${configured.join(', ')})` : ''}. ` +
        `Set its credentials (see list_vendors and the README) or start with --sandbox.`,
    );
  }
  if (account) {
    const a = of.find((x) => x.account === account);
    if (!a) throw new InputError(`${vendor} has no account "${account}"; accounts: ${of.map((x) => x.account).join(', ')}`);
    return a;
  }
  if (of.length > 1) throw new InputError(`${vendor} has several accounts (${of.map((x) => x.account).join(', ')}): pass account`);
  return of[0]!;
}


/** The account input field, shared by tools that address one vendor. */
export const accountField = z
  .string()
  .min(1)
  .optional()
  .describe('account name when a vendor has several (see list_vendors); omit when there is one');
