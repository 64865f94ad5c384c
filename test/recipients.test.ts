import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batches, countRecipients, IdSet, idTypeFromHeader } from '../src/recipients.js';
import { ID_TYPES } from '../src/vendors/vendor.js';

describe('recipients', () => {
  it('IdSet keeps each id once through many growths', () => {
    const s = new IdSet();
    // One expect per loop, not one per id: 57,000 expect calls cost more CPU than the set under test.
    const refusedNew: number[] = [];
    for (let i = 0; i < 50_000; i++) if (!s.add(`user-${i}`)) refusedNew.push(i);
    expect(refusedNew).toEqual([]);
    const acceptedAgain: number[] = [];
    for (let i = 0; i < 50_000; i += 7) if (s.add(`user-${i}`)) acceptedAgain.push(i);
    expect(acceptedAgain).toEqual([]);
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

  it('a one-column header in an export\'s spelling ("User ID", "external_id", "uid") is skipped, never sent as an identity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcp-'));
    try {
      for (const header of ['User ID', 'external_id', 'uid', 'Customer-Id', 'userId']) {
        const src = { kind: 'file' as const, path: join(dir, 'ids.csv'), sha256: 'x' };
        writeFileSync(src.path, `${header}\nu1\nu2\n`);
        const got: string[] = [];
        for await (const b of batches(src, 'identity', 10)) got.push(...b);
        expect(got, header).toEqual(['u1', 'u2']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a phone number has 7 to 15 digits, and one number with and without its + is one recipient (its first spelling sent)', async () => {
    const inline = (ids: string[]) => ({ kind: 'inline' as const, ids });
    for (const bad of ['1-----', '+1 (2) 3-4', '1234567890123456']) await expect(countRecipients(inline([bad]), 'phone'), bad).rejects.toThrow(/is not a phone number .*7 to 15 digits/);
    const same = inline(['15550001234', '+15550001234', '+1 (555) 000-1234', '+44 20 7946 0958']);
    expect(await countRecipients(same, 'phone')).toEqual({ count: 2, duplicates_removed: 2 });
    const got: string[] = [];
    for await (const b of batches(same, 'phone', 10)) got.push(...b);
    expect(got).toEqual(['15550001234', '+442079460958']);
  });

  it('the id type a header names: its own name, a plural or a vendor word; the id_type\'s column wins over "id"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcp-'));
    try {
      const at = (name: string, body: string) => (writeFileSync(join(dir, name), body), join(dir, name));
      const typeOf = (body: string) => idTypeFromHeader(at('h.csv', body), ID_TYPES, ID_TYPES);
      expect(await typeOf('Emails\na@x.io\n')).toBe('email');
      expect(await typeOf('custom_id,name\nu1,A\n')).toBe('identity');
      expect(await typeOf('"object_id",name\nabc,A\n')).toBe('objectId');
      for (const body of ['u1\nu2\n', 'id\nu1\n', 'user_id,name\nu1,A\n', '']) await expect(typeOf(body), body).rejects.toThrow(/needs its id type/);
      await expect(typeOf('phone,email\n+1415555,a@x.io\n')).rejects.toThrow(/several id columns \(phone, email\)/);
      const src = { kind: 'file' as const, path: at('ids.csv', 'id,email,object_id\n1,a@x.io,o1\n2,b@x.io,o2\n'), sha256: 'x' };
      const all = async (t: string) => { const got: string[] = []; for await (const b of batches(src, t, 10)) got.push(...b); return got; };
      expect(await all('email')).toEqual(['a@x.io', 'b@x.io']);
      expect(await all('objectId')).toEqual(['o1', 'o2']);
      expect(await all('identity')).toEqual(['1', '2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
