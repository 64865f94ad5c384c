import { readFileSync } from 'node:fs';

/** A fixture under test/fixtures/seeds/, parsed. */
export function seedFixture<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/seeds/${path}`, import.meta.url), 'utf8')) as T;
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** How a seed shape may differ: keys that may be absent, extra keys the seed's tables document, free-form maps. */
export interface ShapeRules {
  optional?: readonly string[];
  extra?: readonly string[];
  maps?: readonly string[];
}

/**
 * Where `actual` does not have the seed example's keys and types (paths like `data[].audience.seg_id`).
 * Arrays are compared element by element against the seed's first element; empty means "same shape".
 */
export function shapeDiff(actual: unknown, seed: unknown, rules: ShapeRules = {}, path = ''): string[] {
  if (kind(actual) !== kind(seed)) return [`${path || '.'}: ${kind(actual)} instead of ${kind(seed)}`];
  if (Array.isArray(seed) && Array.isArray(actual)) return seed.length ? actual.flatMap((a) => shapeDiff(a, seed[0], rules, `${path}[]`)) : [];
  if (kind(seed) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const s = seed as Record<string, unknown>;
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (rules.maps?.includes(path)) {
    const first = Object.values(s)[0];
    return Object.entries(a).flatMap(([k, v]) => shapeDiff(v, first, rules, at(k)));
  }
  const out: string[] = [];
  for (const k of Object.keys(s)) {
    if (!(k in a)) {
      if (!rules.optional?.includes(at(k))) out.push(`${at(k)}: missing`);
    } else out.push(...shapeDiff(a[k], s[k], rules, at(k)));
  }
  for (const k of Object.keys(a)) if (!(k in s) && !rules.extra?.includes(at(k))) out.push(`${at(k)}: not in the seed`);
  return out;
}
