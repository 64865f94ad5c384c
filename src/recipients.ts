import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from './errors.js';

/** Where a send's recipients come from; stored with the write so each batch can be rebuilt exactly. */
export type RecipientSource =
  | { kind: 'inline'; ids: string[] }
  | { kind: 'file'; path: string; sha256: string; column?: number }
  /** `letters`: for a batch of mixed recipients, its letters (src/part-letters.ts): only its unknown ones are resent. */
  | { kind: 'resend'; of: RecipientSource; batch_size: number; parts: number[]; letters?: Record<number, string> };

/** Longest id we accept; a longer one is a mistake, not a recipient. */
const MAX_ID_LENGTH = 320;
const HEADER_WORDS = /^(id|ids|email|emails|phone|phones|identity|user_?id|customer_?id|custom_?id|profile_?id|object_?id|install_?id|recipient|recipients|e-?mail([ _]address)?|email[ _]address(es)?|phone[ _]numbers?|mobile([ _](phone|number))?|msisdn)$/i;

/** sha256 of a file's bytes, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  } catch (err) {
    throw new InputError(`recipients_file ${path} cannot be read (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  return h.digest('hex');
}

/**
 * The spelling of an id that reaches the vendor: a phone number without its separators (`+1 (555) 000-1234` is
 * `+15550001234`, as vendors match numbers); anything else as given.
 */
export function normalizeId(id: string, idType: string): string {
  return idType === 'phone' ? id.replace(/[\s().-]/g, '') : id;
}

/**
 * Which recipient an id is, for de-duplication: an email address in any case is one person (reached once, by the
 * first spelling given, which is sent as is: a vendor may keep the address as the person typed it).
 */
function recipientKey(id: string, idType: string): string {
  return idType === 'email' ? id.toLowerCase() : id;
}

/** The cells of one CSV line (RFC 4180 quoting: `"Doe, Jane"` is one cell, `""` inside quotes is a quote), trimmed. */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** Check one id against what its id_type must look like. */
export function checkId(id: string, idType: string, where: string): void {
  if (id.length > MAX_ID_LENGTH) throw new InputError(`${where}: an id is longer than ${MAX_ID_LENGTH} characters`);
  if (idType === 'email' && !/^[^@\s]+@[^@\s]+$/.test(id)) throw new InputError(`${where}: "${id.slice(0, 60)}" is not an email address (id_type email)`);
  if (idType === 'phone' && !/^\+?[0-9][0-9 ().-]{5,}$/.test(id)) throw new InputError(`${where}: "${id.slice(0, 60)}" is not a phone number (id_type phone; digits, optional leading +)`);
}

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

/** Every id of a source, in order, with duplicates (and blank lines) skipped. */
async function* uniqueIds(src: RecipientSource, idType: string): AsyncGenerator<string> {
  const seen = new IdSet();
  for await (const raw of rawIds(src, idType)) {
    if (seen.add(recipientKey(raw, idType))) yield raw;
  }
}

async function* rawIds(src: RecipientSource, idType: string): AsyncGenerator<string> {
  if (src.kind === 'inline') {
    for (const [i, v] of src.ids.entries()) {
      const id = v.trim();
      if (!id) continue;
      checkId(id, idType, `recipients.ids[${i}]`);
      yield normalizeId(id, idType);
    }
    return;
  }
  if (src.kind === 'resend') {
    const wanted = new Set(src.parts);
    let i = 0;
    for await (const batch of batches(src.of, idType, src.batch_size)) {
      const letters = src.letters?.[i];
      if (wanted.has(i++)) yield* letters ? batch.filter((_, j) => letters[j] === 'u') : batch;
    }
    return;
  }
  const lines = createInterface({ input: createReadStream(src.path), crlfDelay: Infinity });
  let n = 0;
  let column = src.column;
  for await (const line of lines) {
    n++;
    if (n === 1) {
      const header = parseHeader(line, idType);
      if (header.skip) {
        column = header.column;
        continue;
      }
    }
    // A quoted cell may hold commas ("Doe, Jane"): split as CSV, not on every comma, or the wrong cell is the id.
    const cell = column === undefined ? line : (csvCells(line)[column] ?? '');
    const id = cell.trim().replace(/^"(.*)"$/, '$1');
    if (!id) continue;
    checkId(id, idType, `recipients_file line ${n}`);
    yield normalizeId(id, idType);
  }
}

/** The first line of a file: a CSV header naming the id column, a one-word header, or already an id. */
function parseHeader(line: string, idType: string): { skip: boolean; column?: number } {
  const cells = headerCells(line);
  if (cells.length === 1) return { skip: HEADER_WORDS.test(cells[0]!) };
  // The column named for the id type wins over a generic "id" one (a header "id,email" sends to the emails).
  let column = cells.findIndex((c) => idTypeNamed(c) === idType);
  if (column < 0) column = cells.findIndex((c) => c.toLowerCase() === 'id');
  if (column < 0) throw new InputError(`recipients_file: the CSV header (${cells.join(', ')}) names no "${idType}" or "id" column`);
  return { skip: true, column };
}

function headerCells(line: string): string[] {
  return csvCells(line);
}

/** Header words that say which id type a column holds: the type's own name, its plural, a vendor's word for it. */
const TYPE_WORDS: Record<string, string> = {
  identity: 'identity', custom_id: 'identity', email: 'email', emails: 'email', phone: 'phone', phones: 'phone',
  objectid: 'objectId', object_id: 'objectId', install_id: 'install_id', profile_id: 'profile_id',
  // The headers CRM and ESP exports write (Mailchimp "Email Address", HubSpot "Phone Number", ...).
  'email address': 'email', email_address: 'email', 'e-mail': 'email', 'e-mail address': 'email',
  'phone number': 'phone', phone_number: 'phone', mobile: 'phone', 'mobile phone': 'phone', 'mobile number': 'phone', msisdn: 'phone',
};

/** The id type a header cell names, if it names one (`id`, `user_id`, `recipient` name none: they could hold any). */
function idTypeNamed(cell: string): string | undefined {
  return Object.hasOwn(TYPE_WORDS, cell.toLowerCase()) ? TYPE_WORDS[cell.toLowerCase()] : undefined;
}

/**
 * The id type of a recipients_file given without recipients.id_type, read from its header, never guessed: one
 * column (or the only cell) naming one of `known` (email, phone, identity, a vendor's kind). Anything else (no
 * header, a generic "id" column, several id columns) is refused, suggesting the types `takes` (the vendor's).
 */
export async function idTypeFromHeader(path: string, known: readonly string[], takes: readonly string[]): Promise<string> {
  const first = await firstLine(path);
  const named = [...new Set(headerCells(first).map(idTypeNamed).filter((t): t is string => t !== undefined && known.includes(t)))];
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new InputError(`recipients_file's header names several id columns (${named.join(', ')}): add recipients: { id_type: "${named[0]}" } to say which one to send to`);
  }
  const example = takes.includes('email') ? 'email' : (takes[0] ?? 'email');
  throw new InputError(
    `recipients_file needs its id type: add recipients: { id_type: "${example}" } or a header naming the column (${takes.join(', ')}); ` +
      'its first line names none (a file without a header, or a generic "id" column, could hold any kind of id)',
  );
}

async function firstLine(path: string): Promise<string> {
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return '';
  } catch (err) {
    throw new InputError(`recipients_file ${path} cannot be read (${(err as { code?: string }).code ?? (err as Error).message})`);
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The recipients in batches of `size`, de-duplicated, in file order: the same batches every time. */
export async function* batches(src: RecipientSource, idType: string, size: number): AsyncGenerator<string[]> {
  let batch: string[] = [];
  for await (const id of uniqueIds(src, idType)) {
    batch.push(id);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Count a source: recipients after de-duplication, and how many duplicates were removed. */
export async function countRecipients(src: RecipientSource, idType: string): Promise<{ count: number; duplicates_removed: number }> {
  const seen = new IdSet();
  let total = 0;
  for await (const id of rawIds(src, idType)) {
    total++;
    seen.add(recipientKey(id, idType));
  }
  return { count: seen.size, duplicates_removed: total - seen.size };
}

/** A short digest of one batch's recipients, in order: what the token binds each rebuilt batch to. */
export function batchDigest(ids: readonly string[]): string {
  const h = createHash('sha256');
  for (const id of ids) h.update(id).update('\n');
  return h.digest('base64url').slice(0, 22);
}

/**
 * Count a source in one pass and digest each batch of `size` as it will be sent: a file read lazily while its send
 * runs is checked batch by batch against these, so a file rewritten mid-send never reaches recipients not previewed.
 */
export async function countBatches(src: RecipientSource, idType: string, size: number): Promise<{ count: number; duplicates_removed: number; digests: string[] }> {
  const seen = new IdSet();
  const digests: string[] = [];
  let total = 0;
  let batch: string[] = [];
  for await (const id of rawIds(src, idType)) {
    total++;
    if (!seen.add(recipientKey(id, idType))) continue;
    batch.push(id);
    if (batch.length === size) {
      digests.push(batchDigest(batch));
      batch = [];
    }
  }
  if (batch.length) digests.push(batchDigest(batch));
  return { count: seen.size, duplicates_removed: total - seen.size, digests };
}

/** Refuse to send from a recipients file that changed since it was previewed (its hash is what the token bound). */
export async function verifySource(src: RecipientSource): Promise<void> {
  if (src.kind === 'resend') return verifySource(src.of);
  if (src.kind !== 'file') return;
  if ((await fileSha256(src.path)) !== src.sha256) {
    throw new InputError(`recipients_file ${src.path} changed since it was previewed; nothing more was sent. Preview it again without confirm`);
  }
}
