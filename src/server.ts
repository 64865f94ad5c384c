import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { ToolContext, ToolDefinition } from './tool.js';
import { VENDORS, type VendorId } from './domain.js';
import { describeError, isExpectedError } from './errors.js';
import { boundedResult, runBounded } from './limits.js';
import { redact, silentLogger } from './log.js';
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

export interface ServerOptions {
  readOnly: boolean;
  logger?: Logger;
}

const INSTRUCTIONS =
  'campaign-mcp reads marketing campaigns across CleverTap, MoEngage, Batch and Altcraft. ' +
  'Start with list_vendors; list_campaigns and search_campaigns query every configured vendor at once; ' +
  'get_campaign and get_campaign_report take the vendor and id from a listing. Write tools need confirm.';

/** Build an McpServer exposing `tools` over `ctx`; read-only mode registers no write tool at all. */
export function createServer(ctx: ToolContext, tools: readonly ToolDefinition[], options: ServerOptions): McpServer {
  const logger = options.logger ?? silentLogger;
  const server = new McpServer({ name: 'campaign-mcp', version: VERSION }, { instructions: INSTRUCTIONS });
  for (const tool of tools) {
    if (options.readOnly && tool.kind !== 'read') continue;
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: {
          title: tool.title,
          readOnlyHint: tool.kind === 'read',
          destructiveHint: tool.kind === 'destructive',
          idempotentHint: tool.kind === 'read',
          openWorldHint: true,
        },
      },
      async (args: Record<string, unknown>, extra): Promise<CallToolResult> => {
        const started = performance.now();
        try {
          // Bounds (src/limits.ts): input sizes checked, a deadline joined to the client's signal.
          const { structured, text } = await runBounded(ctx, args, extra.signal, (signal) => tool.handler(args as never, ctx, signal));
          const out = ctx.sandbox ? { ...(structured as object), sandbox: true } : (structured as object);
          logger.debug({ tool: tool.name, ms: Math.round(performance.now() - started) }, 'tool call');
          // Bounds (src/limits.ts): credentials redacted in values before serializing, result size capped.
          return boundedResult(ctx, tool.action, out, ctx.sandbox ? `[sandbox data] ${text}` : text);
        } catch (err) {
          const expected = isExpectedError(err);
          if (!expected) logger.error({ tool: tool.name, err: redact(String((err as Error)?.stack ?? err)) }, 'tool failed');
          else logger.info({ tool: tool.name, error: redact((err as Error).message) }, 'tool error');
          return { content: [{ type: 'text', text: redact(describeError(tool.action, err)) }], isError: true };
        }
      },
    );
  }
  registerCampaignResource(server, ctx);
  return server;
}

/** campaign://{vendor}/{id}: one campaign as a resource, for clients that attach context. */
function registerCampaignResource(server: McpServer, ctx: ToolContext) {
  server.registerResource(
    'campaign',
    new ResourceTemplate('campaign://{vendor}/{id}', { list: undefined }),
    { title: 'Campaign', description: 'One campaign in full, as get_campaign returns it', mimeType: 'application/json' },
    async (uri, vars) => {
      const vendor = String(vars.vendor) as VendorId;
      if (!VENDORS.includes(vendor)) throw new Error(`unknown vendor ${vendor}; one of ${VENDORS.join(', ')}`);
      const of = ctx.adapters.filter((a) => a.vendor === vendor);
      if (of.length === 0) throw new Error(`${vendor} is not configured`);
      if (of.length > 1) throw new Error(`${vendor} has several accounts (${of.map((a) => a.account).join(', ')}): use get_campaign with account`);
      const adapter = of[0]!;
      try {
        const got = await adapter.getCampaign(decodeURIComponent(String(vars.id)), {});
        const body = ctx.sandbox ? { ...got.campaign, sandbox: true } : got.campaign;
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: redact(JSON.stringify(body)) }] };
      } catch (err) {
        throw new Error(redact(describeError('read the campaign', err)));
      }
    },
  );
}
