import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What tools/ may take from src/ (DESIGN.md "Import rules"): domain, errors, tool types, listing and gate services, adapter interface. */
const TOOLS_MAY_IMPORT = ['src/domain', 'src/errors', 'src/tool', 'src/listing', 'src/confirm', 'src/audit/index', 'src/vendors/vendor'];

type Module = { file: string; imports: string[] };

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Every relative import (static, re-export, dynamic) of a file, as a repo path without extension. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3]!)
    .filter((s) => s.startsWith('.'));
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\\/g, '/').replace(/\.(js|ts|json)$/, ''));
}

/** The broken rules, one line each: empty when the layering holds. */
function brokenRules(modules: Module[]): string[] {
  const out: string[] = [];
  for (const { file, imports } of modules) {
    for (const to of imports) {
      const edge = `${file} imports ${to}`;
      if (file.startsWith('tools/') && to.startsWith('src/') && !TOOLS_MAY_IMPORT.includes(to)) out.push(`${edge}: tools/ may import only ${TOOLS_MAY_IMPORT.join(', ')}`);
      if (file.startsWith('src/') && to.startsWith('tools/') && file !== 'src/index.ts') out.push(`${edge}: src/ never imports tools/ (only src/index.ts wires them)`);
      if (file.startsWith('src/sandbox/') && to.startsWith('src/vendors/')) out.push(`${edge}: simulators are written from the vendors' documents, never from our adapters`);
      if (file === 'src/server.ts' && to.startsWith('tools/')) out.push(`${edge}: server.ts receives the tools as a parameter`);
    }
  }
  return out;
}

function repo(): Module[] {
  return [...sources('src'), ...sources('tools')].map((f) => {
    const file = relative(ROOT, join(ROOT, f)).replace(/\\/g, '/');
    return { file, imports: importsOf(file, readFileSync(join(ROOT, f), 'utf8')) };
  });
}

describe('import rules (DESIGN.md Layout)', () => {
  it('the repository keeps every rule', () => {
    const modules = repo();
    expect(modules.length).toBeGreaterThan(40);
    expect(modules.find((m) => m.file === 'src/index.ts')!.imports).toContain('tools/index');
    expect(brokenRules(modules)).toEqual([]);
  });

  it('reads every import form, so a rule cannot be dodged', () => {
    const text = `import type { A } from '../vendors/batch-map.js';\nexport { b } from "./x.js";\nconst c = await import('../vendors/moengage.js');\nimport './side.js';`;
    expect(importsOf('src/sandbox/batch.ts', text)).toEqual(['src/vendors/batch-map', 'src/sandbox/x', 'src/vendors/moengage', 'src/sandbox/side']);
  });

  it.each([
    [{ file: 'src/sandbox/batch.ts', imports: ['src/vendors/batch-map'] }, /simulators are written from the vendors' documents/],
    [{ file: 'tools/list-campaigns.ts', imports: ['src/http'] }, /tools\/ may import only/],
    [{ file: 'src/listing.ts', imports: ['tools/index'] }, /src\/ never imports tools\//],
    [{ file: 'src/server.ts', imports: ['tools/index'] }, /server.ts receives the tools as a parameter/],
  ])('fails on %j', (module, message) => {
    expect(brokenRules([module]).join('\n')).toMatch(message);
  });
});

describe('the in-process project starts no process', () => {
  /** What a test file uses to start one: the bin (spawn, rpc, mcpb helpers), chromium, instances on Redis, a stdio client, child_process. */
  const STARTS = /helpers\/(spawn|mcpb|browser|redis-instances|rpc)\.js|node:child_process|StdioClientTransport/;

  it('every test file that starts a process is listed in the processes project, and every listed file exists', async () => {
    const { PROCESSES } = await import('../vitest.config.js');
    const files = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);
    const starting = files.filter((f) => f !== 'test/layering.test.ts' && STARTS.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(starting.length).toBeGreaterThan(10);
    expect(starting.filter((f) => !PROCESSES.includes(f))).toEqual([]);
    expect(PROCESSES.filter((f) => !files.includes(f))).toEqual([]);
  });
});
