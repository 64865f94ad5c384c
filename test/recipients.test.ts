import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batches, countRecipients, IdSet } from '../src/recipients.js';

describe('recipients', () => {
  it('IdSet keeps each id once through many growths', () => {
    const s = new IdSet();
    for (let i = 0; i < 50_000; i++) expect(s.add(`user-${i}`)).toBe(true);
    for (let i = 0; i < 50_000; i += 7) expect(s.add(`user-${i}`)).toBe(false);
    expect(s.size).toBe(50_000);
  });

  it('a file with a one-word header and duplicates: counted, batched in order, each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcp-'));
    try {
      const file = join(dir, 'r.txt');
      writeFileSync(file, `identity\n${Array.from({ length: 2500 }, (_, i) => `u${i % 2000}`).join('\n')}\n\n`);
      const src = { kind: 'file' as const, path: file, sha256: 'x' };
      expect(await countRecipients(src, 'identity')).toEqual({ count: 2000, duplicates_removed: 500 });
      const got: string[][] = [];
      for await (const b of batches(src, 'identity', 900)) got.push(b);
      expect(got.map((b) => b.length)).toEqual([900, 900, 200]);
      expect(got.flat()).toEqual(Array.from({ length: 2000 }, (_, i) => `u${i}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
