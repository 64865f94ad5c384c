import { parseArgs } from './config.js';
import { main } from './index.js';

const argv = process.argv.slice(2);
// A terminal command piped into `head` (or another reader that stops early) ends quietly when its reader does: the
// rest of its output has nobody to read it. A server keeps its own handling of a closed stdout.
let command: string | undefined;
try {
  command = parseArgs(argv).command;
} catch {
  // main reports it.
}
if (command && command !== 'serve') {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(argv).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`campaign-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
