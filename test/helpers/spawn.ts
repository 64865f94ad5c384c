import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/campaign-mcp.js', import.meta.url));

/**
 * The data directory and compile cache the global setup made for spawned servers, so none writes under
 * $HOME (a test that needs its own passes --data-dir or overrides these).
 */
export const isolatedEnv = (): Record<string, string> => Object.fromEntries(
  (['CAMPAIGN_MCP_COMPILE_CACHE', 'CAMPAIGN_MCP_DATA_DIR'] as const).filter((k) => process.env[k]).map((k) => [k, process.env[k]!]),
);

/** A spawned bin with everything it printed, for end-to-end tests. */
export interface Spawned {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

/** Spawn the built bin with a clean environment plus `env`. */
export function spawnBin(args: string[], env: Record<string, string> = {}): Spawned {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...isolatedEnv(), ...env },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(pattern, stream = 'stdout', ms = 10_000) {
      const started = Date.now();
      for (;;) {
        const m = (stream === 'stdout' ? out : err).match(pattern);
        if (m) return m;
        if (Date.now() - started > ms) throw new Error(`timed out waiting for ${pattern}; stdout=${out} stderr=${err}`);
        if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode} before ${pattern}; stderr=${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async kill() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}
