import { main } from './index.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`campaign-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
