/**
 * A set of ids kept as 64-bit hashes in one open-addressed table (16 bytes an id at most, not a string
 * each), so de-duplicating a 1,000,000-line file costs about 16 MB. Two distinct ids share a hash with
 * odds near 1 in 10^7 for a million ids; the second would be skipped as a duplicate.
 */
export class IdSet {
  private table = new BigUint64Array(1 << 12);
  size = 0;

  /** Add `id`; false when it was already there. */
  add(id: string): boolean {
    let h = hash64(id);
    if (h === 0n) h = 1n;
    if ((this.size + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    for (let i = Number(h & BigInt(mask)); ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === 0n) {
        this.table[i] = h;
        this.size++;
        return true;
      }
      if (v === h) return false;
    }
  }

  private grow() {
    const old = this.table;
    this.table = new BigUint64Array(old.length * 2);
    this.size = 0;
    const mask = this.table.length - 1;
    for (const h of old) {
      if (h === 0n) continue;
      let i = Number(h & BigInt(mask));
      while (this.table[i] !== 0n) i = (i + 1) & mask;
      this.table[i] = h;
      this.size++;
    }
  }
}

/** FNV-1a over UTF-16 code units, two 32-bit lanes with different offsets, as one 64-bit value. */
function hash64(s: string): bigint {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 ^ 0x2f) >>> 0;
  }
  return (BigInt(a) << 32n) | BigInt(b);
}
