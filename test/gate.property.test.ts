import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
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
    tool: fc.constantFrom('send_to_users', 'create_campaign', 'set_campaign_status'),
    body: fc.string({ minLength: 1, maxLength: 10 }),
    n: fc.integer({ min: 1, max: 30 }),
    confirm: tokenish,
  });

  it('holds over random sequences of previews and calls with forged, stale or missing tokens', async () => {
    const client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
    await fc.assert(fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 6 }), async (calls) => {
      // Counted per sequence, so a failure shrinks to the sequence that wrote.
      const before = adapter.writer.executed;
      const issued: string[] = [];
      const real: Array<{ tool: string; confirm: string; body: string }> = [];
      for (const c of calls) {
        const prior = real.at(-1);
        if (prior && c.n % 3 === 0) {
          // A genuine token, sent with arguments that differ from the previewed ones in every tool's terms
          // (a fixed id here once equalled a previewed one, `x`, and the write rightly went through).
          const other = `${prior.body}!`;
          const args = { vendor: 'clevertap', channel: 'push', recipients: { ids: ['other'], id_type: 'identity' }, content: { title: 't', body: other }, name: other, id: other, action: 'stop', audience: { all_users: true } };
          await client.callTool({ name: prior.tool, arguments: { ...args, confirm: prior.confirm } });
        }
        const args = c.tool === 'send_to_users'
          ? { vendor: 'clevertap', channel: 'push', recipients: { ids: Array.from({ length: c.n }, (_, i) => `u${i}`), id_type: 'identity' }, content: { title: 't', body: c.body } }
          : c.tool === 'create_campaign'
            ? { vendor: 'clevertap', name: c.body, channel: 'push', audience: { all_users: true }, content: { title: 't', body: c.body } }
            : { vendor: 'clevertap', id: c.body, action: 'stop' };
        // A token issued for other arguments (the previous preview's) is as good as forged here.
        const confirm = c.confirm === undefined ? issued.at(-1) : c.confirm;
        const r = await client.callTool({ name: c.tool, arguments: { ...args, ...(confirm ? { confirm } : {}), ...(c.n % 2 ? {} : { name: undefined }) } });
        const s = r.structuredContent as { status?: string; confirm?: string } | undefined;
        if (s?.confirm) real.push({ tool: c.tool, confirm: s.confirm, body: c.body });
        if (s?.confirm) issued.push(`${s.confirm.slice(0, -1)}${s.confirm.endsWith('A') ? 'B' : 'A'}`);
      }
      expect(adapter.writer.executed - before).toBe(0);
    }), { numRuns: 60 });
    await client.close();
  });
});
