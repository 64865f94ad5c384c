import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError } from './errors.js';

let key: Buffer = randomBytes(32);

/** Sign cursors with this key from now on (a persistent secret, so cursors survive a restart); default: one per process. */
export function setCursorKey(secret: string | Uint8Array): void {
  key = createHmac('sha256', 'campaign-mcp cursor').update(secret).digest();
}

/** What a listing cursor carries: the filter hash, the snapshot id and the offset. */
export interface CursorPayload {
  k: string;
  s: string;
  o: number;
}

const FOREIGN = 'cursor is not one this server issued (or it was altered); drop it to start from the first page';

function mac(body: string): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, 16);
}

/** `<payload>.<mac>`, both base64url: opaque to the model, refused when altered. */
export function encodeCursor(c: CursorPayload): string {
  const body = Buffer.from(JSON.stringify(c)).toString('base64url');
  return `${body}.${mac(body).toString('base64url')}`;
}

/** The payload of a cursor this server signed, or an InputError; never a TypeError from a payload such as `null`. */
export function decodeCursor(cursor: string): CursorPayload {
  const [body, sig, extra] = cursor.split('.');
  if (!body || !sig || extra !== undefined || body.length > 1000) throw new InputError(FOREIGN);
  const given = Buffer.from(sig, 'base64url');
  const want = mac(body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new InputError(FOREIGN);
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InputError(FOREIGN);
  }
  const o = c as Partial<CursorPayload> | null;
  if (!o || typeof o !== 'object' || typeof o.k !== 'string' || typeof o.s !== 'string' || typeof o.o !== 'number' || !Number.isInteger(o.o) || o.o < 0) {
    throw new InputError(FOREIGN);
  }
  return { k: o.k, s: o.s, o: o.o };
}
