import type { ListToolsResult, McpServer } from '@modelcontextprotocol/server';
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
