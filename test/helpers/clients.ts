import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1Stdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { BIN, isolatedEnv } from './spawn.js';

/** What the interop tests do with a client, whichever SDK line it comes from. */
export interface AnyClient {
  label: string;
  negotiated(): string | undefined;
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<{ isError?: boolean; structuredContent?: unknown; content?: unknown }>;
  readResource(params: { uri: string }): Promise<{ contents: Array<{ uri: string; text?: string }> }>;
  close(): Promise<void>;
}

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...isolatedEnv() };
export const stdioArgs = (extra: string[] = []) => ({ command: process.execPath, args: [BIN, '--sandbox', ...extra], env, stderr: 'ignore' as const });

/** A v1 (`@modelcontextprotocol/sdk` 1.x) client: it speaks 2025-11-25 with the initialize handshake. */
export async function v1Client(over: 'stdio' | URL, headers: Record<string, string> = {}): Promise<AnyClient> {
  const transport = over === 'stdio' ? new V1Stdio(stdioArgs()) : new V1Http(over, { requestInit: { headers } });
  let version: string | undefined;
  // The v1 client reports the negotiated version to its transport only: listen there.
  const hook = transport as { setProtocolVersion?: (v: string) => void };
  const set = hook.setProtocolVersion?.bind(transport);
  hook.setProtocolVersion = (v: string) => {
    version = v;
    set?.(v);
  };
  const client = new V1Client({ name: 'interop-v1', version: '1' });
  await client.connect(transport);
  return Object.assign(client as unknown as AnyClient, { label: `v1 over ${over === 'stdio' ? 'stdio' : 'http'}`, negotiated: () => version });
}

/** A v2 client pinned to 2026-07-28 (server/discover, no initialize, stateless requests). */
export async function v2Client(over: 'stdio' | URL, headers: Record<string, string> = {}): Promise<AnyClient> {
  const transport = over === 'stdio' ? new V2Stdio(stdioArgs()) : new V2Http(over, { requestInit: { headers } });
  const client = new V2Client({ name: 'interop-v2', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport);
  return Object.assign(client as unknown as AnyClient, { label: `v2 over ${over === 'stdio' ? 'stdio' : 'http'}`, negotiated: () => client.getNegotiatedProtocolVersion() });
}
