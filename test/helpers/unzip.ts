import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/** One file read back from a zip, with its Unix mode when the archive recorded one. */
export interface ZipEntry {
  name: string;
  data: Buffer;
  mode: number;
}

/** Read a zip through its central directory (written independently of scripts/zip.mjs, so it checks the writer). */
export function unzip(buf: Buffer): ZipEntry[] {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory: not a zip');
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const mode = (buf.readUInt32LE(p + 38) >>> 16) & 0o777;
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    const data = method === 8 ? inflateRawSync(raw) : method === 0 ? Buffer.from(raw) : undefined;
    if (!data) throw new Error(`${name}: compression method ${method} is not deflate or stored`);
    out.push({ name, data, mode });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Write `entries` under `dir`, refusing a name that would escape it. */
export function extract(entries: ZipEntry[], dir: string): void {
  for (const e of entries) {
    const target = normalize(join(dir, e.name));
    if (!target.startsWith(normalize(dir))) throw new Error(`${e.name} escapes the folder`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, e.data, { mode: e.mode || 0o644 });
  }
}
