import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/index.js';

/** What one run of the bin printed, and its exit code. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

const collector = () => {
  let text = '';
  return { stream: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
};

/**
 * The bin's main() run in this process (no spawn: a terminal command costs no node start-up), with a clean
 * environment plus `env`, and what it wrote to stdout and stderr. Only terminal commands (help, version,
 * tools, call) return; each opens and closes its own store, sandbox and clients. Pass --data-dir: nothing
 * here falls back to the test run's shared one.
 */
export async function runMain(argv: string[], env: Record<string, string> = {}): Promise<Ran> {
  const out = collector();
  const err = collector();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, env: { PATH: process.env.PATH ?? '', ...env } });
  if (code < 0) throw new Error(`main(${JSON.stringify(argv)}) started serving; runMain runs only terminal commands`);
  return { code, out: out.text(), err: err.text() };
}

/** Fresh temporary directories (a data directory per run or per case), all removed by `remove`. */
export function tempDirs(prefix: string): { make(): string; remove(): void } {
  const made: string[] = [];
  return {
    make: () => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      made.push(d);
      return d;
    },
    remove: () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
