// Bundle the bin into one ESM file: cold start is dominated by module loading.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

const bench = process.argv.includes('--bench');
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: { 'campaign-mcp': 'src/bin.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  keepNames: false,
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
});
chmodSync('dist/campaign-mcp.js', 0o755);

if (bench) {
  await build({ ...common, entryPoints: ['bench/run.ts'], outfile: 'dist/bench.js', packages: 'external' });
}
