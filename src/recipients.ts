import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from './errors.js';
import { IdSet } from './id-set.js';
import { csvCells, parseHeader } from './recipients-file.js';

export { IdSet } from './id-set.js';
export { csvCells, idTypeFromHeader } from './recipients-file.js';

/** Where a send's recipients come from; stored with the write so each batch can be rebuilt exactly. */
export type RecipientSource =
  | { kind: 'inline'; ids: string[] }
  | { kind: 'file'; path: string; sha256: string; column?: number }
  /**
   * `letters`: for a batch of mixed recipients, its letters (src/part-letters.ts): only its unknown ones are resent.
   * `digests`: the resent write's batch digests, which its source must still batch into (absent in older records).
   */
  | { kind: 'resend'; of: RecipientSource; batch_size: number; parts: number[]; letters?: Record<number, string>; digests?: string[] };

/** Longest id we accept; a longer one is a mistake, not a recipient. */
const MAX_ID_LENGTH = 320;

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
  // A number with and without its leading + is one number (normalizeId has taken its separators off).
  return idType === 'email' ? id.toLowerCase() : idType === 'phone' ? id.replace(/^\+/, '') : id;
}

/** Check one id against what its id_type must look like. */
export function checkId(id: string, idType: string, where: string): void {
  if (id.length > MAX_ID_LENGTH) throw new InputError(`${where}: an id is longer than ${MAX_ID_LENGTH} characters`);
  if (idType === 'email' && !/^[^@\s]+@[^@\s]+$/.test(id)) throw new InputError(`${where}: "${id.slice(0, 60)}" is not an email address (id_type email)`);
  // E.164 allows at most 15 digits; fewer than 7 is no number a campaign reaches ("1-----" was one, sent as "1").
  const digits = idType === 'phone' ? id.replace(/[^0-9]/g, '').length : 0;
  if (idType === 'phone' && (!/^\+?[0-9][0-9 ().-]{5,}$/.test(id) || digits < 7 || digits > 15)) {
    throw new InputError(`${where}: "${id.slice(0, 60)}" is not a phone number (id_type phone; 7 to 15 digits, optional leading +)`);
  }
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
    const last = Math.max(...src.parts);
    let i = 0;
    for await (const batch of batches(src.of, idType, src.batch_size)) {
      // Batches are picked by index: they must be the ones that write sent, or other recipients would be resent.
      if (src.digests && src.digests[i] !== batchDigest(batch)) {
        throw new InputError(`the recipients of the send being resent no longer fall into the batches it sent (batch ${i} differs: its source, or how duplicates are counted since an upgrade); nothing can be resent by batch. Send its unknown recipients as recipients.ids instead`);
      }
      const letters = src.letters?.[i];
      if (wanted.has(i)) yield* letters ? batch.filter((_, j) => letters[j] === 'u') : batch;
      if (i++ === last) return;
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
