import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Connect a real MCP client to `server` in-process, for the terminal commands and tests. */
export async function connectInProcess(server: McpServer): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'campaign-mcp-cli', version: '1' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

/** `campaign-mcp tools`: one line per tool with its arguments. */
export async function printTools(server: McpServer, out: NodeJS.WritableStream): Promise<void> {
  const client = await connectInProcess(server);
  const { tools } = await client.listTools();
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
    const result = await client.callTool({ name, arguments: args as Record<string, unknown> });
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
