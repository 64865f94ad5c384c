// Build the bin: the launcher (dist/campaign-mcp.js), the server bundle and what it loads late (dist/chunks/), the views (dist/ui/).
// Cold start is dominated by compiling what is loaded.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Built into a directory of its own, then moved into dist/ file by file (a rename is atomic): a bin another test
// run is starting meanwhile reads a whole file, old or new, never a half-written one or none.
const OUT = `dist.build-${process.pid}`;
rmSync(OUT, { recursive: true, force: true });
process.on('exit', () => rmSync(OUT, { recursive: true, force: true })); // a failed build leaves nothing behind
const require = createRequire(import.meta.url);
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

/** Leave out what the bin never runs at start: zod's 40 translated error locales (English stays) and AJV (loaded lazily). */
const slim = {
  name: 'slim',
  setup(b) {
    const zodLocales = join(dirname(require.resolve('zod/v4')), 'locales');
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (args.importer.includes(join('node_modules', 'zod', 'v4')) ? { path: join(zodLocales, 'index.js'), namespace: 'zod-en' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({ contents: `export { default as en } from ${JSON.stringify(join(zodLocales, 'en.js'))};`, resolveDir: zodLocales }));
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: fileURLToPath(new URL('./lazy-shims.mjs', import.meta.url)) }));
  },
};

/**
 * MCP Apps views (src/ui/browser/, their logic in src/ui/): each one self-contained HTML file, its script and style inline, a CSP that allows nothing
 * beyond them (no fetch, no remote asset). Written to dist/ui/ for tests and inlined into the bundle (src/ui/views.ts).
 */
const VIEWS = { 'write-preview': 'Write preview', 'audit-report': 'Audit report' };
const VIEW_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";
const views = {};
mkdirSync(`${OUT}/ui`, { recursive: true });
for (const [id, title] of Object.entries(VIEWS)) {
  const out = (r) => r.outputFiles[0].text.trim();
  const view = { bundle: true, write: false, minify: true, legalComments: 'none', logLevel: 'warning' };
  const js = out(await build({ ...view, entryPoints: [`src/ui/browser/${id}.ts`], format: 'iife', platform: 'browser', target: ['es2020'] }));
  const css = out(await build({ ...view, entryPoints: [`src/ui/browser/${id}.css`] }));
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    + `<meta http-equiv="Content-Security-Policy" content="${VIEW_CSP}">`
    + `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${css.replace(/<\/style/gi, '<\\/style')}</style></head>`
    + `<body><main id="app"></main><script>${js.replace(/<\/(script)/gi, '<\\/$1')}</script></body></html>`;
  views[id] = html;
  writeFileSync(`${OUT}/ui/${id}.html`, html);
}

// The server: one CommonJS bundle, so the launcher can compile it with V8's code cache (scripts/launcher.mjs).
// Packages needed late, and large, stay in files of their own: undici (the first vendor request) and
// @redis/client (only with CAMPAIGN_MCP_REDIS_URL).
const LATE = { undici: 'undici.cjs', '@redis/client': 'redis.cjs' };
const late = {
  name: 'late',
  setup(b) {
    // An import of one becomes a require of its file, made when the importing module first runs: the
    // vm-compiled bundle has no module loader for a real import().
    b.onResolve({ filter: /^(undici|@redis\/client)$/ }, (args) => ({ path: args.path, namespace: 'late' }));
    b.onLoad({ filter: /.*/, namespace: 'late' }, (args) => ({ contents: `module.exports = require('./${LATE[args.path]}');` }));
    b.onResolve({ filter: /^\.\/(undici|redis)\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};
await build({
  ...common,
  format: 'cjs',
  entryPoints: ['src/bin.ts'],
  outfile: `${OUT}/chunks/server.cjs`,
  minify: true,
  keepNames: false,
  plugins: [slim, late],
  banner: {},
  // The views: a string (JSON) esbuild inlines where src/ui/views.ts reads it.
  define: { 'import.meta.url': '__campaignMcpUrl', __CAMPAIGN_MCP_VIEWS__: JSON.stringify(JSON.stringify(views)) },
  inject: [fileURLToPath(new URL('./cjs-url.mjs', import.meta.url))],
});
for (const [name, file] of Object.entries(LATE)) {
  await build({ ...common, banner: {}, format: 'cjs', minify: true, entryPoints: [require.resolve(name)], outfile: `${OUT}/chunks/${file}` });
}
await build({ ...common, banner: {}, format: 'cjs', minify: true, entryPoints: [require.resolve('@modelcontextprotocol/server/validators/ajv')], outfile: `${OUT}/chunks/ajv.cjs` });
if (/\bimport\(/.test(readFileSync(`${OUT}/chunks/server.cjs`, 'utf8'))) throw new Error('dist/chunks/server.cjs has an import() the launcher cannot run');
const hash = createHash('sha256').update(readFileSync(`${OUT}/chunks/server.cjs`)).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: ['scripts/launcher.mjs'],
  outfile: `${OUT}/campaign-mcp.js`,
  bundle: false,
  define: { __BUNDLE_HASH__: JSON.stringify(hash) },
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(`${OUT}/campaign-mcp.js`, 0o755);

// The lazy validator must load and validate: fail the build, not a user's first elicitation.
const { AjvJsonSchemaValidator } = require(join(process.cwd(), `${OUT}/chunks/ajv.cjs`));
if (!new AjvJsonSchemaValidator().getValidator({ type: 'object', properties: { a: { type: 'string' } } })({ a: 'x' }).valid) {
  throw new Error('dist/chunks/ajv.cjs does not validate');
}

if (bench) {
  await build({ ...common, entryPoints: ['bench/run.ts'], outfile: `${OUT}/bench.js`, packages: 'external' });
}

/** Every file under `dir`, relative to it. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => join(e.name, f)) : [e.name]));
}
const built = new Set(files(OUT));
for (const f of built) {
  mkdirSync(dirname(join('dist', f)), { recursive: true });
  renameSync(join(OUT, f), join('dist', f));
}
// What an earlier build left that this one did not write goes (a running process keeps a file it has open).
for (const f of files('dist')) if (!built.has(f)) rmSync(join('dist', f), { force: true });
rmSync(OUT, { recursive: true, force: true });
