import { readFileSync } from 'node:fs';

/** A seed fixture under test/fixtures/seeds/ (`vendor/name`, or one path), parsed (or raw text for `.txt`). */
export function seedFixture<T = unknown>(vendorOrPath: string, name?: string): T {
  const path = name === undefined ? vendorOrPath : `${vendorOrPath}/${name}`;
  const text = readFileSync(new URL(`../fixtures/seeds/${path}`, import.meta.url), 'utf8');
  return (path.endsWith('.txt') ? text : JSON.parse(text)) as T;
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

/**
 * Where `actual` disagrees with the seed's example in type, for every key both have (recursing into
 * objects and first array items); `$` paths name each mismatch. Empty when the types agree.
 */
export function typeMismatches(actual: unknown, seed: unknown, path = '$'): string[] {
  const a = kind(actual);
  const s = kind(seed);
  if (a !== s) return [`${path}: ${a} where the seed has ${s}`];
  if (a === 'array') {
    const [x] = actual as unknown[];
    const [y] = seed as unknown[];
    return x === undefined || y === undefined ? [] : typeMismatches(x, y, `${path}[0]`);
  }
  if (a !== 'object') return [];
  const so = seed as Record<string, unknown>;
  return Object.entries(actual as Record<string, unknown>).flatMap(([k, v]) => (k in so ? typeMismatches(v, so[k], `${path}.${k}`) : []));
}
