import { McpServer, ResourceNotFoundError, ResourceTemplate, isInputRequiredResult, type CacheHint, type CallToolResult, type InputRequiredResult } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ToolContext, ToolDefinition } from './tool.js';
import { registerApps, toolListFor, type AppLink, type ToolListCache } from './app.js';
import { joinSignals } from './deadline.js';
import { VENDORS, type VendorId } from './domain.js';
import { describeError, InputError, isExpectedError, VendorError } from './errors.js';
import { SERVER_ICONS, TOOL_ICONS } from './icons.js';
import { boundedResult, checkInputSizes, limitsOf, runBounded } from './limits.js';
import { redact, silentLogger } from './log.js';
import { toolCall } from './tool-call.js';
import { registerPrompts } from './prompts.js';
import { ShutdownError } from './shutdown.js';
import { strictInput } from './strict-input.js';
import type { VendorAdapter } from './vendors/vendor.js';
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

export interface ServerOptions {
  readOnly: boolean;
  logger?: Logger;
  /** Aborted when the process stops: every call in flight is aborted with it (src/shutdown.ts). */
  signal?: AbortSignal;
  /** One tools/list answer for the servers built from the same context, tools and read-only mode (src/app.ts). */
  toolList?: ToolListCache;
}

const INSTRUCTIONS =
  'campaign-mcp reads marketing campaigns across CleverTap, MoEngage, Batch and Altcraft. ' +
  'Start with list_vendors; list_campaigns and search_campaigns query every configured vendor at once; ' +
  'get_campaign and get_campaign_report take the vendor and id from a listing. Write tools need confirm.';

// The lists are fixed for the life of the process (config is read once); campaign reads are live (ttl 0).
const STABLE: CacheHint = { ttlMs: 5 * 60_000, cacheScope: 'private' };
const CACHE_HINTS = { 'tools/list': STABLE, 'prompts/list': STABLE, 'resources/templates/list': STABLE, 'server/discover': STABLE };

/** Build an McpServer exposing `tools` over `ctx` (both protocol eras); read-only mode registers no write tool at all. */
export function createServer(ctx: ToolContext, tools: readonly ToolDefinition[], options: ServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const server = new McpServer(
    { name: 'campaign-mcp', title: 'Campaign MCP', version: VERSION, icons: SERVER_ICONS },
    { instructions: INSTRUCTIONS, cacheHints: CACHE_HINTS, capabilities: { tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false }, completions: {} } },
  );
  const linked: AppLink[] = [];
  for (const tool of tools) {
    if (options.readOnly && tool.kind !== 'read') continue;
    // A write no configured account can do is not offered at all; a read keeps its full enum and explains.
    if (tool.kind !== 'read' && tool.available && !ctx.adapters.some(tool.available)) continue;
    if (tool.app) linked.push({ tool: tool.name, view: tool.app });
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        // Every object strict, top level and nested: an unknown key is refused with the accepted ones (src/strict-input.ts).
        inputSchema: strictInput(tool.name, withVendorEnum(tool.inputSchema, ableVendors(ctx.adapters, tool.available), tool.action, unable(ctx.adapters, tool))),
        outputSchema: z.object(tool.outputSchema),
        icons: TOOL_ICONS[tool.kind],
        annotations: {
          title: tool.title,
          readOnlyHint: tool.kind === 'read',
          destructiveHint: tool.kind === 'destructive',
          idempotentHint: tool.kind === 'read',
          openWorldHint: true,
        },
      },
      async (args: Record<string, unknown>, extra): Promise<CallToolResult | InputRequiredResult> => {
        const started = performance.now();
        const signal = joined(extra.mcpReq.signal, options.signal);
        try {
          // Bounds (src/limits.ts): input sizes checked; a read answers by the call's deadline. A write is never cut
          // mid-request by it (that would make the batch unknown): the gate stops starting batches at its own budget.
          const run = (s: AbortSignal) => tool.handler(args as never, ctx, s, toolCall(server, extra));
          const result = tool.kind === 'read'
            ? await runBounded(ctx, args, signal, run)
            : (checkInputSizes(args, limitsOf(ctx)), await run(signal));
          if (isInputRequiredResult(result)) return result;
          const { structured, text, isError } = result;
          const out = ctx.sandbox ? { ...(structured as object), sandbox: true } : (structured as object);
          logger.debug({ tool: tool.name, ms: Math.round(performance.now() - started) }, 'tool call');
          // Bounds (src/limits.ts): credentials redacted in values before serializing, result size capped.
          const bounded = boundedResult(ctx, tool.action, out, ctx.sandbox ? `[sandbox data] ${text}` : text);
          return (isError && !bounded.isError ? { ...bounded, isError: true } : bounded) as CallToolResult;
        } catch (err) {
          // Cancelled by the client (notifications/cancelled, a closed connection) or stopped by a shutdown: not a failure.
          if (signal.aborted) {
            const why = signal.reason instanceof ShutdownError ? signal.reason : undefined;
            logger.info({ tool: tool.name, ms: Math.round(performance.now() - started) }, why ? 'tool call aborted: shutting down' : 'tool call cancelled');
            return { content: [{ type: 'text', text: `Could not ${tool.action}: ${why ? why.message : 'the call was cancelled'}.` }], isError: true };
          }
          const expected = isExpectedError(err);
          if (!expected) logger.error({ tool: tool.name, err: redact(String((err as Error)?.stack ?? err)) }, 'tool failed');
          else logger.info({ tool: tool.name, error: redact((err as Error).message) }, 'tool error');
          // On the sandbox an error says so too: a failure of a simulated vendor is not news about a real account.
          const message = redact(describeError(tool.action, err));
          return { content: [{ type: 'text', text: ctx.sandbox ? `[sandbox] ${message}` : message }], isError: true };
        }
      },
    );
  }
  // MCP Apps views (src/app.ts): linked only for clients that declare the extension.
  registerApps(server, linked, toolListFor(options.toolList, [ctx, tools, options.readOnly]));
  registerCampaignResource(server, ctx, options.signal);
  // Prompts (draft_campaign, audit_campaigns) and the audit://latest resource.
  registerPrompts(server, ctx, options.readOnly);
  return server;
}

/** Configured vendors able to do what a tool requires, in the canonical vendor order. */
export function ableVendors(adapters: readonly VendorAdapter[], able: (a: VendorAdapter) => boolean = () => true): VendorId[] {
  return VENDORS.filter((v) => adapters.some((a) => a.vendor === v && able(a)));
}

/** Configured vendors none of whose accounts can do what a tool requires, each with what it offers instead. */
function unable(adapters: readonly VendorAdapter[], tool: Pick<ToolDefinition, 'available' | 'instead' | 'action'>): string[] {
  if (!tool.available) return [];
  const able = new Set(ableVendors(adapters, tool.available));
  return VENDORS.flatMap((v) => {
    const a = adapters.find((x) => x.vendor === v);
    if (!a || able.has(v)) return [];
    return [tool.instead?.(a) ?? `${v} cannot ${tool.action}.`];
  });
}

/** The tool's input shape with its `vendor` enum narrowed to `allowed`; unchanged when none qualifies (the handler then says why). */
function withVendorEnum(shape: z.ZodRawShape, allowed: VendorId[], action: string, others: string[] = []): z.ZodRawShape {
  const field = shape.vendor as z.ZodType | undefined;
  if (!field || allowed.length === 0) return shape;
  const optional = field instanceof z.ZodOptional;
  const message = `vendor must be one of: ${allowed.join(', ')} (the vendors configured here that can ${action}; see list_vendors)${others.length ? `. ${others.join(' ')}` : ''}`;
  let narrowed: z.ZodType = z.enum(allowed as [VendorId, ...VendorId[]], { error: message });
  if (field.description) narrowed = narrowed.describe(field.description);
  return { ...shape, vendor: optional ? narrowed.optional() : narrowed };
}

/** The call's own signal, joined with the process's shutdown signal when there is one. */
function joined(call: AbortSignal, process: AbortSignal | undefined): AbortSignal {
  return process ? joinSignals([call, process]) : call;
}

/**
 * campaign://{vendor}/{id}: one campaign as a resource, for clients that attach context; same deadline as the tools.
 * A URI naming nothing (unknown or unconfigured vendor, malformed id, the vendor's 404) is the protocol's resource-not-found
 * (-32602 with data.uri), not an internal error; the message still says why.
 */
function registerCampaignResource(server: McpServer, ctx: ToolContext, stopping: AbortSignal | undefined) {
  server.registerResource(
    'campaign',
    new ResourceTemplate('campaign://{vendor}/{id}', {
      list: undefined,
      // The configured vendors that start with what was typed (the id is the vendor's own: no list to offer).
      complete: { vendor: (value) => [...new Set(ctx.adapters.map((a) => a.vendor))].filter((v) => v.startsWith(value.toLowerCase())) },
    }),
    { title: 'Campaign', description: 'One campaign in full, as get_campaign returns it', mimeType: 'application/json' },
    async (uri, vars, extra) => {
      const vendor = String(vars.vendor) as VendorId;
      if (!VENDORS.includes(vendor)) throw new ResourceNotFoundError(uri.href, `unknown vendor ${vendor}; one of ${VENDORS.join(', ')}`);
      const of = ctx.adapters.filter((a) => a.vendor === vendor);
      if (of.length === 0) throw new ResourceNotFoundError(uri.href, `${vendor} is not configured`);
      if (of.length > 1) throw new Error(`${vendor} has several accounts (${of.map((a) => a.account).join(', ')}): use get_campaign with account`);
      const adapter = of[0]!;
      try {
        const id = decodeURIComponent(String(vars.id));
        const got = await runBounded(ctx, { id }, joined(extra.mcpReq.signal, stopping), (signal) => adapter.getCampaign(id, {}, signal));
        const body = ctx.sandbox ? { ...got.campaign, sandbox: true } : got.campaign;
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: redact(JSON.stringify(body)) }] };
      } catch (err) {
        const message = redact(describeError('read the campaign', err));
        const missing = err instanceof InputError || (err instanceof VendorError && err.status === 404);
        throw missing ? new ResourceNotFoundError(uri.href, message) : new Error(message);
      }
    },
  );
}
