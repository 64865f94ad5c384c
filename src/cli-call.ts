import type { CallToolResult, ListToolsResult, McpServer, Tool } from '@modelcontextprotocol/server';
import { connectInProcess } from './in-process.js';
import { renderListing } from './listing.js';
import { progressPrinter } from './cli-progress.js';

/** How a terminal `call` runs: `all` follows next_cursor to the end; progress is printed once a call outlasts `progressAfterMs`. */
export interface CallOptions {
  all?: boolean;
  progressAfterMs?: number;
}

type Out = NodeJS.WritableStream & { isTTY?: boolean };
type Structured = { campaigns?: unknown[]; next_cursor?: string; sandbox?: boolean; total?: number };
const MAX_PAGES = 1000;

/** `campaign-mcp call <tool> '<json>' [--all]`: run one tool through the server and print its text. Returns the exit code. */
export async function callTool(server: McpServer, name: string, json: string, out: Out, err: Out, options: CallOptions = {}): Promise<number> {
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(json) as Record<string, unknown>;
  } catch {
    err.write(`campaign-mcp: the arguments must be JSON, e.g. '{"vendor":"clevertap"}'\n`);
    return 2;
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    err.write('campaign-mcp: the arguments must be a JSON object\n');
    return 2;
  }
  const progress = progressPrinter(err, options.progressAfterMs ?? 1000);
  const client = await connectInProcess(server, (method, params) => {
    if (method === 'notifications/progress') progress.report(params);
  });
  try {
    const { tools } = await client.request<ListToolsResult>('tools/list');
    const tool = tools.find((t) => t.name === name);
    const refusal = tool ? checkArguments(tool, args, options) : `unknown tool "${name}"; the tools here: ${tools.map((t) => t.name).join(', ')} (campaign-mcp tools shows their arguments)`;
    if (refusal) {
      err.write(`campaign-mcp: ${refusal}\n`);
      return 2;
    }
    const call = (a: Record<string, unknown>) => client.request<CallToolResult>('tools/call', { name, arguments: a, _meta: { progressToken: 'cli' } });
    const result = options.all ? await callAll(call, args) : await call(args);
    progress.done();
    const text = ((result.content ?? []) as Array<{ type: string; text?: string }>).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    if (result.isError && args.cursor !== undefined && /cursor/i.test(text)) {
      err.write(`${unusableCursor(name, args, text)}\n`);
      return 1;
    }
    (result.isError ? err : out).write(`${text}\n`);
    if (!result.isError && (result.structuredContent as Structured | undefined)?.next_cursor) {
      err.write('campaign-mcp: more results remain: give the cursor to the next call, or add --all to print every page in this run.\n');
    }
    return result.isError ? 1 : 0;
  } catch (e) {
    progress.done();
    err.write(`campaign-mcp: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** Unknown arguments are refused with the known ones (the server's schemas would silently drop them); --all needs a cursor. */
function checkArguments(tool: Tool, args: Record<string, unknown>, options: CallOptions): string | undefined {
  const known = Object.keys(tool.inputSchema.properties ?? {});
  const unknown = Object.keys(args).filter((k) => !known.includes(k));
  if (unknown.length) {
    const required = new Set(tool.inputSchema.required ?? []);
    const list = known.map((k) => (required.has(k) ? k : `${k}?`)).join(', ') || 'none';
    return `${tool.name} has no argument ${unknown.map((k) => `"${k}"`).join(', ')}; its arguments: ${list}`;
  }
  if (options.all && !known.includes('cursor')) return `--all pages through a listing; ${tool.name} takes no cursor`;
  if (options.all && args.cursor !== undefined) return '--all starts from the first page: drop the cursor';
  return undefined;
}

/** Follow next_cursor to the last page within this process (where the listing's snapshot lives) and merge the pages. */
async function callAll(call: (a: Record<string, unknown>) => Promise<CallToolResult>, args: Record<string, unknown>): Promise<CallToolResult> {
  const first = await call(args);
  const s = first.structuredContent as Structured | undefined;
  if (first.isError || !s?.next_cursor || !Array.isArray(s.campaigns)) return first;
  const campaigns = [...s.campaigns];
  let cursor: string | undefined = s.next_cursor;
  for (let pages = 1; cursor && pages < MAX_PAGES; pages++) {
    const page = await call({ ...args, cursor });
    if (page.isError) return page;
    const p = page.structuredContent as Structured;
    campaigns.push(...(p.campaigns ?? []));
    cursor = p.next_cursor;
  }
  const merged = { ...s, campaigns, next_cursor: cursor, total: s.total ?? campaigns.length } as Parameters<typeof renderListing>[0];
  const text = `${s.sandbox ? '[sandbox data] ' : ''}${renderListing(merged)}`;
  return { content: [{ type: 'text', text }], structuredContent: merged as Record<string, unknown> };
}

/** Each `call` is its own process, so a cursor printed by an earlier one has nothing to continue: say so, and what works. */
function unusableCursor(tool: string, args: Record<string, unknown>, serverText: string): string {
  const { cursor: _cursor, ...rest } = args;
  const again = `campaign-mcp call ${tool} '${JSON.stringify(rest)}' --all`;
  if (!/expired/i.test(serverText)) return `${serverText}\ncampaign-mcp: to get every page from the terminal, run: ${again}`;
  return [
    'campaign-mcp: this cursor cannot be continued: it is an older campaign-mcp\'s, pointing into a listing no longer held. To get every page in one run:',
    `  ${again}`,
    '(or list again without cursor, with a larger limit).',
  ].join('\n');
}
