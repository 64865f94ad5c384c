import { num, obj } from './altcraft-map.js';
import { shapeError, type Envelope } from './altcraft-errors.js';

/** Page size we request: the vendor default and maximum is 1000 (seed 004 `limit`); 100 keeps answers small. */
export const ALTCRAFT_PAGE_SIZE = 100;
/** Pages followed in one listing before giving up on a cursor that never ends (our guard, not a vendor limit). */
const MAX_PAGES = 1000;

type Rec = Record<string, unknown>;
/** One POSTed method, answered as its envelope (the adapter's `call`). */
type Call = (method: string, body: Rec, signal?: AbortSignal) => Promise<Envelope>;

function idOf(r: Rec, method: string): number {
  const id = num(r.id);
  if (id === undefined) throw shapeError(method, 'a record has no numeric id');
  return id;
}

/** Follow from_id paging: next_from_id while it is given; without it, a full page continues from the last id + 1 ([U]). */
export async function pageAll(call: Call, method: string, filter: Rec, signal?: AbortSignal): Promise<{ items: Rec[]; requests: number }> {
  const seen = new Map<number, Rec>();
  let from = 1;
  for (let requests = 1; requests <= MAX_PAGES; requests++) {
    const { data, top } = await call(method, { ...filter, from_id: from, limit: ALTCRAFT_PAGE_SIZE }, signal);
    const page = data == null ? [] : Array.isArray(data) ? data : Array.isArray(obj(data).items) ? (obj(data).items as unknown[]) : undefined;
    if (!page) throw shapeError(method, 'data is not a list');
    const recs = page.map(obj);
    for (const r of recs) seen.set(idOf(r, method), r);
    const next = num(top.next_from_id);
    if (recs.length === 0) return { items: [...seen.values()], requests };
    if (next !== undefined && next > 0) {
      if (next <= from) throw shapeError(method, `next_from_id ${next} does not move past from_id ${from}`);
      from = next;
    } else if (!('next_from_id' in top) && recs.length >= ALTCRAFT_PAGE_SIZE) {
      let last = 0;
      for (const r of recs) last = Math.max(last, idOf(r, method)); // no spread: a large page would overflow the stack
      from = last + 1;
    } else return { items: [...seen.values()], requests };
  }
  throw shapeError(method, `paging did not end after ${MAX_PAGES} pages`);
}
