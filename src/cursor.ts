import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InputError } from './errors.js';

/**
 * What a listing cursor carries: the filter hash, the snapshot id and the offset, the sort key of the last
 * campaign shown (`a`: instant, vendor, account, id), where a re-listing continues once the snapshot is gone, and
 * the accounts missing from the pages so far (`m`: `vendor/account`), so a re-listing where one answers says what
 * of it those pages did not show.
 */
export interface CursorPayload {
  k: string;
  s: string;
  o: number;
  a?: [string, string, string, string];
  m?: string[];
}

const FOREIGN = 'cursor is not one this server issued (or it was altered); drop it to start from the first page';
/**
 * Longest cursor accepted back: one carries the last campaign's id (≤ 200 characters) and account (≤ 60), and up to
 * MAX_MISSING_ACCOUNTS missing accounts (≤ 60 each), which in non-Latin text take up to 3 bytes a character before
 * base64 adds a third.
 */
export const MAX_CURSOR_CHARS = 8_000;
export const MAX_MISSING_ACCOUNTS = 16;

/**
 * Signs and verifies listing cursors with one key, held by this object and by no module: two apps in one
 * process (a test worker running several `call`s) each sign with their own. Built from the persistent secret,
 * cursors survive a restart and verify on every instance sharing it; without one, the key is random.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret?: string | Uint8Array) {
    this.key = secret === undefined ? randomBytes(32) : createHmac('sha256', 'campaign-mcp cursor').update(secret).digest();
  }

  /** `<payload>.<mac>`, both base64url: opaque to the model, refused when altered. */
  encode(c: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(c)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The payload of a cursor this codec signed, or an InputError; never a TypeError from a payload such as `null`. */
  decode(cursor: string): CursorPayload {
    const [body, sig, extra] = cursor.split('.');
    if (!body || !sig || extra !== undefined || body.length > MAX_CURSOR_CHARS) throw new InputError(FOREIGN);
    const given = Buffer.from(sig, 'base64url');
    const want = this.mac(body);
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
    const a = o.a;
    if (a !== undefined && !(Array.isArray(a) && a.length === 4 && a.every((x) => typeof x === 'string'))) throw new InputError(FOREIGN);
    const m = o.m;
    if (m !== undefined && !(Array.isArray(m) && m.length <= MAX_MISSING_ACCOUNTS && m.every((x) => typeof x === 'string'))) throw new InputError(FOREIGN);
    return { k: o.k, s: o.s, o: o.o, ...(a && { a }), ...(m && { m }) };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16);
  }
}

/** The codec of a context that carries none (tests build contexts by hand): one random key for the process, never changed. */
export const processCursors = new CursorCodec();
