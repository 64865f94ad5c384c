// `npm run docs`: rewrite the README's tool reference from the registry (scripts/tool-reference.ts).
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-docs-'));
try {
  const outfile = join(dir, 'docs.mjs');
  await build({
    stdin: {
      contents: "export { allTools } from './tools/index.ts'; export { renderToolReference, withReference } from './scripts/tool-reference.ts';",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const { allTools, renderToolReference, withReference } = await import(pathToFileURL(outfile).href);
  const readme = readFileSync('README.md', 'utf8');
  const next = withReference(readme, renderToolReference(allTools));
  writeFileSync('README.md', next);
  process.stdout.write(next === readme ? 'README.md: the tool reference was up to date\n' : 'README.md: tool reference rewritten\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
