import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { countTokens } from 'gpt-tokenizer';
import type { Client } from '@modelcontextprotocol/client';

const textOf = (res: any) => (res.content as Array<{ text: string }>).map((c) => c.text).join('\n');

/** What the model reads of a tool list: names, titles, descriptions and input schemas (o200k tokens). */
export function toolListTokens(tools: ReadonlyArray<Record<string, unknown>>): number {
  return countTokens(JSON.stringify(tools.map(({ name, title, description, inputSchema }) => ({ name, title, description, inputSchema }))));
}

/** Our tool list with every tool registered (sandbox: all four vendors, writes allowed). */
export async function ourToolList(client: Client): Promise<{ tools: number; tokens: number }> {
  const { tools } = await client.listTools();
  return { tools: tools.length, tokens: toolListTokens(tools as Array<Record<string, unknown>>) };
}

/** A spawned stdio server's tools/list and its peak RSS once it answered `then` (a tools/call), for references. */
export function spawnedServer(args: string[], env: Record<string, string>, then?: { name: string; arguments: Record<string, unknown> }):
  Promise<{ tools: Array<Record<string, unknown>>; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '', ...env } });
    let buf = '';
    let tools: Array<Record<string, unknown>> = [];
    const send = (m: unknown) => p.stdin.write(`${JSON.stringify(m)}\n`);
    const finish = () => {
      const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
      p.kill();
      resolve({ tools, peakRssMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 });
    };
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (msg.id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (msg.id === 2) {
          tools = msg.result.tools;
          if (then) send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: then });
          else finish();
        } else if (msg.id === 3) finish();
      }
    });
    p.on('error', reject);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  });
}

/** The reference server's tool list, read the same way. */
export async function referenceToolList(): Promise<{ tools: number; tokens: number; peakRssMb: number }> {
  const everything = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
  const { tools, peakRssMb } = await spawnedServer([everything, 'stdio'], {});
  return { tools: tools.length, tokens: toolListTokens(tools), peakRssMb };
}

/** A full audit of the sandbox: wall time, findings, and what it costs the model in each half of the result. */
export async function auditSandbox(client: Client): Promise<{ ms: number; campaigns: number; findings: number; text: number; structured: number }> {
  const t0 = performance.now();
  const res = await client.callTool({ name: 'audit_campaigns', arguments: {} }, { timeout: 120_000 });
  const ms = performance.now() - t0;
  if (res.isError) throw new Error(textOf(res));
  const s = res.structuredContent as { findings: unknown[]; summary: { audited: Array<{ campaigns: number }>; by_check: Array<{ findings: number }> } };
  const campaigns = s.summary.audited.reduce((n, a) => n + a.campaigns, 0);
  const findings = s.summary.by_check.reduce((n, c) => n + c.findings, 0);
  return { ms, campaigns, findings, text: countTokens(textOf(res)), structured: countTokens(JSON.stringify(s)) };
}
