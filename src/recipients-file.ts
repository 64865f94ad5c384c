import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from './errors.js';

/**
 * Headers a one-column recipients file may start with (skipped), whatever id type the send matches by, compared
 * without case, spaces, `_` or `-` ("User ID", "user_id" and "userId" are one): an id type would refuse most of them
 * as ids, but an identity takes anything, and a header sent as an id reaches nobody or the wrong person.
 */
const HEADER_WORDS = new Set([
  'id', 'ids', 'uid', 'uids', 'userid', 'userids', 'customerid', 'customerids', 'customid', 'customids', 'profileid', 'profileids',
  'objectid', 'objectids', 'installid', 'installids', 'externalid', 'externalids', 'externaluserid', 'externaluserids', 'identity', 'identities',
  'recipient', 'recipients', 'email', 'emails', 'emailaddress', 'emailaddresses', 'phone', 'phones', 'phonenumber', 'phonenumbers',
  'mobile', 'mobilephone', 'mobilenumber', 'mobilenumbers', 'msisdn',
]);
const isHeaderWord = (cell: string) => HEADER_WORDS.has(cell.toLowerCase().replace(/[\s_-]/g, ''));

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

/** The first line of a file: a CSV header naming the id column, a one-word header, or already an id. */
export function parseHeader(line: string, idType: string): { skip: boolean; column?: number } {
  const cells = headerCells(line);
  if (cells.length === 1) return { skip: isHeaderWord(cells[0]!) };
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
