import type { CallToolResult, ListToolsResult, McpServer } from '@modelcontextprotocol/server';
import { connectInProcess } from './in-process.js';

/** `campaign-mcp tools`: one line per tool with its arguments. */
export async function printTools(server: McpServer, out: NodeJS.WritableStream): Promise<void> {
  const client = await connectInProcess(server);
  const { tools } = await client.request<ListToolsResult>('tools/list');
  for (const t of tools) {
    const props = Object.keys((t.inputSchema.properties ?? {}) as object);
    const req = new Set(t.inputSchema.required ?? []);
    const args = props.map((p) => (req.has(p) ? p : `${p}?`)).join(', ');
    out.write(`${t.name}(${args})\n  ${t.description}\n`);
  }
  await client.close();
}

/** `campaign-mcp call <tool> '<json>'`: run one tool through the server and print its text. Returns the exit code. */
export async function callTool(server: McpServer, name: string, json: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let args: unknown;
  try {
    args = JSON.parse(json);
  } catch {
    err.write(`campaign-mcp: the arguments must be JSON, e.g. '{"vendor":"clevertap"}'\n`);
    return 2;
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    err.write('campaign-mcp: the arguments must be a JSON object\n');
    return 2;
  }
  const client = await connectInProcess(server);
  try {
    const result = await client.request<CallToolResult>('tools/call', { name, arguments: args as Record<string, unknown> });
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    const text = content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    (result.isError ? err : out).write(`${text}\n`);
    return result.isError ? 1 : 0;
  } catch (e) {
    err.write(`campaign-mcp: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

/** What `npm start` prints: the endpoint and ready-to-paste client configuration. */
export function httpBanner(url: string, sandbox: boolean, token?: string, bin = process.argv[1] ?? 'campaign-mcp'): string {
  const auth = token ? ', "headers": { "Authorization": "Bearer <CAMPAIGN_MCP_HTTP_TOKEN>" }' : '';
  return [
    `campaign-mcp ${sandbox ? 'on the SANDBOX (simulated CleverTap, MoEngage, Batch, Altcraft)' : ''} serving Streamable HTTP at ${url}`,
    '',
    'Claude Code:',
    `  claude mcp add --transport http campaign-mcp ${url}`,
    'Cursor (~/.cursor/mcp.json) or any client that takes a URL:',
    `  { "mcpServers": { "campaign-mcp": { "url": "${url}"${auth} } } }`,
    'Claude Desktop (claude_desktop_config.json, stdio):',
    `  { "mcpServers": { "campaign-mcp": { "command": "node", "args": [${JSON.stringify(bin)}${sandbox ? ', "--sandbox"' : ''}] } } }`,
    'MCP Inspector:',
    `  npx @modelcontextprotocol/inspector --transport http --server-url ${url}`,
    '',
    'Ctrl-C stops the server.',
  ].join('\n');
}
