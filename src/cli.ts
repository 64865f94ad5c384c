import type { ListToolsResult, McpServer } from '@modelcontextprotocol/server';
import type { StdioLaunch } from './client-launch.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** The MCP Inspector release pinned in what we print: 0.16 and later require Node 22; 0.15.0 runs on Node 20 (checked, both forms). */
export const INSPECTOR = '@modelcontextprotocol/inspector@0.15.0';

/**
 * What `npm start` prints: the endpoint and client configuration that works as printed (a token stays in its variable).
 * The stdio forms start the same server: its flags, and the variables it reads (a client does not pass on the shell's);
 * a secret by name only: the Inspector command reads it from the shell, the JSON says where to put it.
 */
export interface BannerOptions {
  sandbox: boolean;
  /** The bearer token clients must send (never printed: the snippets read it from CAMPAIGN_MCP_HTTP_TOKEN). */
  token?: string;
  /** The bin and node the stdio snippets start (default: this process's). */
  bin?: string;
  node?: string;
  pid?: number;
  launch?: StdioLaunch;
  /** Bound to every interface: `url` is loopback, and a line says what another machine uses. */
  everyInterface?: boolean;
}

export function httpBanner(url: string, o: BannerOptions): string {
  const { sandbox, token, bin = process.argv[1] ?? 'campaign-mcp', node = process.execPath, pid = process.pid, launch, everyInterface = false } = o;
  const header = token ? ' --header "Authorization: Bearer $CAMPAIGN_MCP_HTTP_TOKEN"' : '';
  const auth = token ? ', "headers": { "Authorization": "Bearer ${env:CAMPAIGN_MCP_HTTP_TOKEN}" }' : '';
  const stdioArgs = [bin, ...(launch?.args ?? (sandbox ? ['--sandbox'] : []))];
  const secrets = launch?.secrets ?? [];
  const env = { ...launch?.env, ...Object.fromEntries(secrets.map((s) => [s, `<your ${s}>`])) };
  const envJson = Object.keys(env).length ? `, "env": { ${Object.entries(env).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }` : '';
  const envFlags = [
    ...Object.entries(launch?.env ?? {}).map(([k, v]) => `-e ${shellWord(`${k}=${v}`)}`),
    ...secrets.map((s) => `-e ${s}="$${s}"`),
  ];
  return [
    // The endpoint alone on the first line: a script (or a person) takes the whole line as the URL.
    url,
    `campaign-mcp${sandbox ? ' on the SANDBOX (simulated CleverTap, MoEngage, Batch, Altcraft)' : ''} serving Streamable HTTP at that endpoint`,
    ...(everyInterface ? [`bound to every interface: from another machine, put this machine's address (its name or IP) in place of ${new URL(url).hostname}`] : []),
    '',
    `Claude Code${token ? ' (run where CAMPAIGN_MCP_HTTP_TOKEN is set: the shell puts the token in)' : ''}:`,
    `  claude mcp add --transport http campaign-mcp ${url}${header}`,
    `Cursor (~/.cursor/mcp.json) or any client that takes a URL${token ? ' (the token is read from CAMPAIGN_MCP_HTTP_TOKEN)' : ''}:`,
    `  { "mcpServers": { "campaign-mcp": { "url": "${url}"${auth} } } }`,
    // `npm run pack` is a script of the source checkout (scripts/ is not in the published package).
    `Claude Desktop (claude_desktop_config.json, stdio${existsSync(join(dirname(bin), '..', 'scripts', 'pack.mjs')) ? '; or npm run pack and open the .mcpb' : ''})${secrets.length ? `; put your own ${secrets.join(', ')} where it says <your ...> (secrets are not printed)` : ''}:`,
    // Node by its full path: Claude Desktop starts servers without the login shell's PATH (nvm, Homebrew), where "node" may not resolve.
    `  { "mcpServers": { "campaign-mcp": { "command": ${JSON.stringify(node)}, "args": ${JSON.stringify(stdioArgs)}${envJson} } } }`,
    `MCP Inspector (${INSPECTOR.split('@')[2]} runs on Node 20; later releases need Node 22), web UI over stdio${secrets.length ? ' (secrets read from this shell)' : ''}:`,
    // The Inspector's launcher takes --config as its own wherever it appears; after `--` it goes to the server.
    `  npx -y ${INSPECTOR} ${[...envFlags, ...(stdioArgs.includes('--config') ? ['--'] : []), 'node', ...stdioArgs.map(inspectorWord)].join(' ')}`,
    ...(token ? [] : ['or, against this endpoint from the terminal:', `  npx -y ${INSPECTOR} --cli ${url} --method tools/list`]),
    '',
    `Ctrl-C, or kill ${pid}, stops the server.`,
  ].join('\n');
}

/**
 * A server argument for the Inspector's web form, quoted twice where it needs quoting: its launcher joins the
 * arguments with spaces and its server splits them again by shell rules, so a path with a space (a home folder,
 * "Application Support") must still be quoted once the shell has removed the outer quotes.
 */
function inspectorWord(s: string): string {
  const inner = shellWord(s);
  if (inner === s) return s;
  return /["$`\\!]/.test(inner) ? shellWord(inner) : `"${inner}"`;
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
