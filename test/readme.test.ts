import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { allTools } from '../tools/index.js';
import { END, renderToolReference, START, withReference } from '../scripts/tool-reference.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README tool reference (generated from the registry by `npm run docs`)', () => {
  it('is exactly what the registry generates: run `npm run docs` after changing a tool', () => {
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(section).toBe(renderToolReference(allTools));
  });

  it('documents every tool, every argument with its description, and each result field', () => {
    const ref = renderToolReference(allTools);
    for (const t of allTools) {
      expect(ref).toContain(`| \`${t.name}\` |`);
      for (const k of Object.keys(t.inputSchema)) expect(ref, `${t.name}.${k}`).toMatch(new RegExp(`\\| \`${k}\\??\` \\|`));
      for (const k of Object.keys(t.outputSchema)) expect(ref, `${t.name} → ${k}`).toContain(`\`${k}\``);
    }
    expect(ref).toContain('| `confirm?` | string | the token from this tool');
  });

  it('refuses a README without the markers rather than appending a second reference', () => {
    expect(() => withReference('# no markers\n', 'x')).toThrow(/markers/);
    expect(withReference(`a\n${START}\nold\n${END}\nb`, 'new')).toBe('a\nnew\nb');
  });
});
