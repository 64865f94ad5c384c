import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { checkInputSizes, DEFAULT_LIMITS } from '../src/limits.js';

/** The message checkInputSizes refused `args` with, or undefined when it accepted them. */
function refusal(args: unknown): string | undefined {
  try {
    checkInputSizes(args, DEFAULT_LIMITS);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
}

const x = (n: number) => 'x'.repeat(n);

describe('input sizes (every tool call, before any vendor is asked)', () => {
  it('an id or name over 1,000 characters is refused, naming where it is and how long, never its value', () => {
    expect(refusal({ vendor: x(1_000) })).toBeUndefined();
    expect(refusal({ vendor: x(1_001) })).toBe('vendor is 1,001 characters long; at most 1,000 are accepted');
    expect(refusal({ audience: { segment: { name: x(1_001) } } })).toBe('audience.segment.name is 1,001 characters long; at most 1,000 are accepted');
    expect(refusal({ vendor: `secret-${x(1_000)}` })).not.toContain('secret');
  });

  it('message text may be long, up to 100,000 characters, in a field or a list of them', () => {
    expect(refusal({ content: { body: x(100_000), title: x(5_000), subject: x(5_000) } })).toBeUndefined();
    expect(refusal({ content: { body: x(100_001) } })).toBe('content.body is 100,001 characters long; at most 100,000 are accepted');
    expect(refusal({ content: [x(5_000), x(100_000)] })).toBeUndefined();
    expect(refusal({ content: [x(5), x(100_001)] })).toBe('content[1] is 100,001 characters long; at most 100,000 are accepted');
    expect(refusal({ description: x(5_000) })).toBeUndefined();
  });

  it('a cursor may be as long as a signed cursor gets', () => {
    expect(refusal({ cursor: x(8_000) })).toBeUndefined();
    expect(refusal({ cursor: x(8_001) })).toBe('cursor is 8,001 characters long; at most 8,000 are accepted');
  });

  it('in a list of thousands of ids, the one too long is named by its index', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
    expect(refusal({ recipients: { ids, id_type: 'identity' } })).toBeUndefined();
    ids[12_345] = x(1_001);
    expect(refusal({ recipients: { ids, id_type: 'identity' } })).toBe('recipients.ids[12345] is 1,001 characters long; at most 1,000 are accepted');
  });

  it('objects in lists are checked by their own keys; numbers, booleans and null pass', () => {
    expect(refusal({ items: [{ title: x(5_000), n: 1, ok: true, none: null }, { name: 'a' }] })).toBeUndefined();
    expect(refusal({ items: [{ name: 'a' }, { name: x(1_001) }] })).toBe('items[1].name is 1,001 characters long; at most 1,000 are accepted');
    expect(refusal({ rows: [['a', x(1_001)]] })).toBe('rows[0][1] is 1,001 characters long; at most 1,000 are accepted');
  });

  it('nesting deeper than 16 is refused, saying where', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 16; i++) deep = { a: deep };
    expect(refusal(deep)).toBeUndefined();
    let deeper: unknown = {};
    for (let i = 0; i < 18; i++) deeper = { a: deeper };
    expect(refusal(deeper)).toMatch(/^a(\.a)+ nest too deeply$/);
    expect(refusal({ list: [[[[[[[[[[[[[[[[[['x']]]]]]]]]]]]]]]]]] })).toMatch(/^list(\[0\])+ nest too deeply$/);
  });
});
