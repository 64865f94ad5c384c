import { readFileSync } from 'node:fs';

/** A seed fixture under test/fixtures/seeds/, parsed (or raw text for `.txt`). */
export function seedFixture<T = unknown>(vendor: string, name: string): T {
  const text = readFileSync(new URL(`../fixtures/seeds/${vendor}/${name}`, import.meta.url), 'utf8');
  return (name.endsWith('.txt') ? text : JSON.parse(text)) as T;
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

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
