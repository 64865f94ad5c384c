import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Client } from '@modelcontextprotocol/client';
import { connectInProcess } from './helpers/client.js';
import { createServer } from '../src/server.js';
import { argsHash, canonicalJson } from '../src/tokens.js';
import { allTools } from '../tools/index.js';
import { gateContext } from './helpers/gate-ctx.js';
import { writableAdapter } from './helpers/fake-writer.js';

/** Reorder an object's keys, recursively, the way another client might serialize it. */
function shuffleKeys(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => shuffleKeys(x, seed + i));
  if (!v || typeof v !== 'object') return v;
  const entries = Object.entries(v);
  entries.sort((a, b) => ((a[0].charCodeAt(0) * (seed + 7)) % 13) - ((b[0].charCodeAt(0) * (seed + 7)) % 13) || (seed % 2 ? 1 : -1));
  return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, seed + 1)]));
}

const json = fc.jsonValue({ maxDepth: 3 });

describe('the argument hash', () => {
  it('is stable under key order and whitespace', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 6 }), fc.nat(), (obj, seed) => {
      const reparsed = JSON.parse(JSON.stringify(obj, null, 2));
      expect(argsHash(shuffleKeys(reparsed, seed))).toBe(argsHash(obj));
    }));
  });

  it('changes when any value changes', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), json, { minKeys: 1, maxKeys: 6 }), json, (obj, other) => {
      const key = Object.keys(obj)[0]!;
      fc.pre(canonicalJson(obj[key]) !== canonicalJson(other));
      expect(argsHash({ ...obj, [key]: other })).not.toBe(argsHash(obj));
    }));
  });
});

type Tool = 'send_to_users' | 'create_campaign' | 'set_campaign_status';
type Args = Record<string, unknown>;

/** One tool's valid arguments: only the keys that tool takes, none of them undefined (strict input refuses both). */
function argsOf(tool: Tool, body: string, n: number): Args {
  if (tool === 'send_to_users') return { vendor: 'clevertap', channel: 'push', recipients: { ids: Array.from({ length: n }, (_, i) => `u${i}`), id_type: 'identity' }, content: { title: 't', body } };
  if (tool === 'create_campaign') return { vendor: 'clevertap', name: body, channel: 'push', audience: { all_users: true }, content: { title: 't', body } };
  return { vendor: 'clevertap', id: body, action: 'stop' };
}

/**
 * The same tool's valid arguments with one field changed, so input validation takes them and only the gate's
 * hash check can refuse them. Appending a non-blank character changes the value even after `.trim()`.
 */
function changed(tool: Tool, args: Args): Args {
  if (tool === 'send_to_users') {
    const content = args.content as { title: string; body: string };
    return { ...args, content: { ...content, body: `${content.body}!` } };
  }
  if (tool === 'create_campaign') return { ...args, name: `${String(args.name)}!` };
  return { ...args, id: `${String(args.id)}!` };
}

/** A token with its signature's last character changed: its claims are genuine, its MAC is not. */
function mangled(token: string): string {
  return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
}

function textOf(r: Awaited<ReturnType<Client['callTool']>>): string {
  return ((r.content ?? []) as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');
}

const DIFFER = 'the arguments differ from the ones this token was issued for';
const NOT_ISSUED = 'this confirm token is not one this server issued';

describe('no write without a valid token', () => {
  const adapter = writableAdapter();
  const g = gateContext([adapter]);
  afterAll(g.cleanup);
  const tokenish = fc.oneof(
    fc.constant(undefined), fc.string({ maxLength: 80 }),
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,43}$/))
      .map(([id, mac]) => `cm1.${id}.send_to_users.zzzzzz.${'A'.repeat(43)}.${mac}`),
  );
  const call = fc.record({
    tool: fc.constantFrom<Tool>('send_to_users', 'create_campaign', 'set_campaign_status'),
    // Not blank: a blank name or id is refused by input validation, and a sequence must preview at least once.
    body: fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.trim().length > 0),
    n: fc.integer({ min: 1, max: 30 }),
    confirm: tokenish,
  });

  it('holds over random sequences of previews and calls with forged, stale or missing tokens', async () => {
    const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
    await fc.assert(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 6 }), async (calls) => {
      // Counted per sequence, so a failure shrinks to the sequence that wrote.
      const before = adapter.writer.executed;
      const issued: string[] = [];
      const real: Array<{ tool: Tool; confirm: string; args: Args }> = [];
      let differRefused = 0;
      let forgedRefused = 0;
      /** A genuine token sent with its tool's valid arguments, one field changed: the gate refuses it, writing nothing. */
      const withChangedArgs = async (prior: { tool: Tool; confirm: string; args: Args }) => {
        const was = adapter.writer.executed;
        const r = await client.callTool({ name: prior.tool, arguments: { ...changed(prior.tool, prior.args), confirm: prior.confirm } });
        expect(r.isError, textOf(r)).toBe(true);
        expect(textOf(r)).toContain(DIFFER);
        expect(adapter.writer.executed).toBe(was);
        differRefused++;
      };
      /** A genuine token's claims under a wrong signature, sent with exactly the previewed arguments: refused as forged. */
      const withForgedMac = async (prior: { tool: Tool; confirm: string; args: Args }) => {
        const was = adapter.writer.executed;
        const r = await client.callTool({ name: prior.tool, arguments: { ...prior.args, confirm: mangled(prior.confirm) } });
        expect(r.isError, textOf(r)).toBe(true);
        expect(textOf(r)).toContain(NOT_ISSUED);
        expect(adapter.writer.executed).toBe(was);
        forgedRefused++;
      };
      for (const [i, c] of calls.entries()) {
        const prior = real.at(-1);
        if (prior && c.n % 3 === 0) await withChangedArgs(prior);
        if (prior && c.n % 3 === 1) await withForgedMac(prior);
        const args = argsOf(c.tool, c.body, c.n);
        // The first call previews, so every sequence has a genuine token to misuse.
        // A token issued for other arguments (the previous preview's) is as good as forged here.
        const confirm = i === 0 ? undefined : c.confirm === undefined ? issued.at(-1) : c.confirm;
        const r = await client.callTool({ name: c.tool, arguments: { ...args, ...(confirm ? { confirm } : {}) } });
        const s = r.structuredContent as { status?: string; confirm?: string } | undefined;
        if (i === 0) expect(s?.confirm, textOf(r)).toBeTruthy();
        if (s?.confirm) real.push({ tool: c.tool, confirm: s.confirm, args });
        if (s?.confirm) issued.push(mangled(s.confirm));
      }
      // Whatever the sequence drew, the latest genuine token is misused both ways once more.
      await withChangedArgs(real.at(-1)!);
      await withForgedMac(real.at(-1)!);
      expect(differRefused).toBeGreaterThan(0);
      expect(forgedRefused).toBeGreaterThan(0);
      expect(adapter.writer.executed - before).toBe(0);
    }), { numRuns: 60 });
    await client.close();
  });
});
