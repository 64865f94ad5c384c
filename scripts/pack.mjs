// `npm run pack`: build campaign-mcp-<version>.mcpb, an MCP Bundle (a zip with manifest.json at its root) holding
// only what runs: the manifest, the bundled bin and the chunks it loads, README, LICENSE and a runtime package.json.
// Flags: --no-build (use the dist/ already built), --out <dir> (default: the repository root).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zip } from './zip.mjs';

const argv = process.argv.slice(2);
const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : '.';
const fail = (message) => {
  process.stderr.write(`pack: ${message}\n`);
  process.exit(1);
};

if (!argv.includes('--no-build')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const manifest = JSON.parse(readFileSync('manifest.json', 'utf8'));
if (manifest.version !== pkg.version) fail(`manifest.json version ${manifest.version} differs from package.json ${pkg.version}`);
const entry = manifest.server?.entry_point;
if (entry !== pkg.bin['campaign-mcp']) fail(`manifest.json server.entry_point ${entry} is not the bin ${pkg.bin['campaign-mcp']}`);

// The manifest ships to users: every tool this very build serves must be declared in it. (It may declare more: a
// write tool is offered only where an account can do it; test/tools.test.ts keeps it equal to the whole registry.)
const declared = manifest.tools.map((t) => t.name);
const undeclared = listedTools().filter((t) => !declared.includes(t));
if (undeclared.length) fail(`the built server serves tools manifest.json does not declare: ${undeclared.join(', ')}`);

// Everything the bin loads is dist/campaign-mcp.js and dist/chunks/ (build.mjs writes only these for the bin);
// anything else in dist/ (dist/bench.js from `npm run bench`) stays out.
const runtimePkg = {
  name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license,
  type: pkg.type, bin: pkg.bin, engines: pkg.engines,
};
const files = [
  { name: 'manifest.json', data: readFileSync('manifest.json') },
  { name: 'package.json', data: Buffer.from(`${JSON.stringify(runtimePkg, null, 2)}\n`) },
  { name: 'README.md', data: readFileSync('README.md') },
  { name: 'LICENSE', data: readFileSync('LICENSE') },
  { name: entry, data: readFileSync(entry), mode: 0o755 },
  ...readdirSync('dist/chunks').sort().map((f) => ({ name: `dist/chunks/${f}`, data: readFileSync(join('dist/chunks', f)) })),
];
const bytes = zip(files);
const path = join(out, `${pkg.name}-${pkg.version}.mcpb`);
writeFileSync(path, bytes);
const unpacked = files.reduce((n, f) => n + f.data.length, 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
process.stdout.write(`${path}: ${kb(bytes.length)}, ${files.length} files (${kb(unpacked)} unpacked), sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}\n`);

/** The tool names the built bin registers on the sandbox (every tool, writes included), in order. */
function listedTools() {
  const dataDir = mkdtempSync(join(tmpdir(), 'campaign-mcp-pack-'));
  try {
    const text = execFileSync(process.execPath, [entry, 'tools', '--sandbox', '--data-dir', dataDir], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    return [...text.matchAll(/^(\w+)\(/gm)].map((m) => m[1]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
