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
  if (!argv.includes('--data-dir') && !['--help', '-h', '--version'].some((f) => argv.includes(f))) {
    throw new Error('runMain: pass --data-dir (in-process runs must not fall back to the home directory)');
  }
  const out = collector();
  const err = collector();
  // What the process would have printed past io (a write to process.stdout in call mode corrupts a pipe), and the
  // sockets it left open (a spawned bin would hang on them): both fail the run, as they would a spawned one.
  const stray: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const sockets = () => process.getActiveResourcesInfo().filter((r) => /TCP|Pipe/.test(r)).length;
  const before = sockets();
  process.stdout.write = ((chunk: unknown) => (stray.push(`stdout: ${String(chunk)}`), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (stray.push(`stderr: ${String(chunk)}`), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(argv, { stdout: out.stream, stderr: err.stream, env: { PATH: process.env.PATH ?? '', ...env } });
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
  if (code < 0) throw new Error(`main(${JSON.stringify(argv)}) started serving; runMain runs only terminal commands`);
  if (stray.length) throw new Error(`main(${JSON.stringify(argv)}) wrote past its io: ${stray.join(' | ').slice(0, 500)}`);
  for (let i = 0; i < 20 && sockets() > before; i++) await new Promise((r) => setTimeout(r, 10));
  if (sockets() > before) throw new Error(`main(${JSON.stringify(argv)}) left ${sockets() - before} socket(s) open: ${process.getActiveResourcesInfo().join(', ')}`);
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
