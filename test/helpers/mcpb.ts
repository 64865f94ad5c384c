import { spawn } from 'node:child_process';
import { z } from 'zod';

const str = z.string().min(1);

/** The MCPB manifest 0.3 as its spec (modelcontextprotocol/mcpb MANIFEST.md) defines it: required fields and the shapes we use. */
export const ManifestSchema = z.strictObject({
  manifest_version: z.literal('0.3'),
  name: str,
  display_name: str.optional(),
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/),
  description: str,
  long_description: str.optional(),
  author: z.strictObject({ name: str, email: z.email().optional(), url: z.url().optional() }),
  license: str.optional(),
  keywords: z.array(str).optional(),
  server: z.strictObject({
    type: z.enum(['node', 'python', 'binary']),
    entry_point: str,
    mcp_config: z.strictObject({ command: str, args: z.array(z.string()).optional(), env: z.record(z.string(), z.string()).optional() }),
  }),
  tools: z.array(z.strictObject({ name: str, description: z.string().optional() })),
  user_config: z.record(z.string(), z.strictObject({
    type: z.enum(['string', 'number', 'boolean', 'directory', 'file']),
    title: str,
    description: str,
    required: z.boolean().optional(),
    default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
    multiple: z.boolean().optional(),
    sensitive: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })),
  compatibility: z.strictObject({
    claude_desktop: z.string().optional(),
    platforms: z.array(z.enum(['darwin', 'win32', 'linux'])).optional(),
    runtimes: z.strictObject({ node: z.string().optional(), python: z.string().optional() }).optional(),
  }).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** What an MCPB host runs: `mcp_config` with `${__dirname}`, `${HOME}` and `${user_config.*}` (defaults, then `values`) replaced. */
export function hostCommand(m: Manifest, dir: string, home: string, values: Record<string, string | boolean> = {}) {
  const vars: Record<string, string> = { __dirname: dir, HOME: home };
  for (const [k, o] of Object.entries(m.user_config)) if (o.default !== undefined) vars[`user_config.${k}`] = String(o.default);
  for (const [k, v] of Object.entries(values)) vars[`user_config.${k}`] = String(v);
  const sub = (s: string) => s.replace(/\$\{([^}]+)\}/g, (whole, name: string) => vars[name] ?? whole);
  const c = m.server.mcp_config;
  return { command: c.command, args: (c.args ?? []).map(sub), env: Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, sub(v)])) };
}

/**
 * Run a server process and speak newline-delimited JSON-RPC to it: initialize, then the given requests; answers in order.
 * `answerMs` bounds the wait for each answer (the first one includes the process's start: `npx` loading npm first takes
 * seconds on a loaded machine); keep it under the calling test's own timeout, so a slow start fails with the stderr.
 */
export async function stdioSession(command: string, args: string[], opts: { cwd: string; env: Record<string, string>; answerMs?: number }, requests: Array<{ method: string; params?: object }>) {
  const answerMs = opts.answerMs ?? 25_000;
  const proc = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const answers = new Map<number, { result?: any; error?: any }>();
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) {
      const m = JSON.parse(line) as { id?: number; result?: unknown; error?: unknown };
      if (typeof m.id === 'number') answers.set(m.id, m);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
  const send = (m: object) => proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  const answer = async (id: number) => {
    for (const started = Date.now(); !answers.has(id);) {
      if (proc.exitCode !== null) throw new Error(`server exited ${proc.exitCode}: ${err}`);
      if (Date.now() - started > answerMs) throw new Error(`no answer to ${id} in ${answerMs} ms: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return answers.get(id)!;
  };
  try {
    send({ id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcpb-test', version: '1' } } });
    await answer(0);
    send({ method: 'notifications/initialized' });
    const results = [];
    for (const [i, r] of requests.entries()) {
      send({ id: i + 1, method: r.method, params: r.params ?? {} });
      results.push(await answer(i + 1));
    }
    return { results, stderr: () => err };
  } finally {
    proc.stdin.end();
    if ((await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5000))])) === 'timeout') proc.kill('SIGKILL');
  }
}
