import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { DAY_BOUNDS } from '../src/domain.js';
import { InputError } from '../src/errors.js';
import { HttpClient } from '../src/http.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { createServer } from '../src/server.js';
import { EmbeddedStore } from '../src/store.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import { GET_MAX_WINDOWS, LIST_MAX_DAYS, searchPlan } from '../src/vendors/clevertap-find.js';
import { addDay, resolveRange } from '../src/vendors/clevertap-map.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';

const NOW = new Date('2026-11-20T12:00:00Z');
let sim: CleverTapSim;
let http: HttpClient;
let client: Client;
beforeAll(async () => {
  sim = await startCleverTapSim({ seed: 3, now: NOW });
  http = new HttpClient({ baseDelayMs: 1, maxDelayMs: 5 });
  const adapter = new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url, now: () => NOW }, http);
  client = await connectInProcess(createServer({ adapters: [adapter], sandbox: false, store: new EmbeddedStore(), now: () => NOW }, allTools, { readOnly: true }));
});
afterAll(async () => {
  await client.close();
  await http.close();
  await sim.close();
});

/** The vendor requests one tool call made, by path, and its text. */
async function cost(name: string, args: Record<string, unknown>) {
  const n = sim.requests.length;
  const r = await client.callTool({ name, arguments: args });
  const paths = sim.requests.slice(n).map((q) => q.path);
  return { text: (r.content as Array<{ text: string }>)[0]!.text, isError: r.isError === true, list: paths.filter((p) => p.endsWith('/list.json')).length, total: paths.length };
}

/** The widest ranges accepted, in days: the figures the README states. */
const GET_WIDEST = GET_MAX_WINDOWS * LIST_MAX_DAYS; // 744
const LIST_WIDEST = 1096;

describe('absurd but valid CleverTap ranges are bounded', () => {
  it(`get_campaign: the widest accepted range (${GET_WIDEST} days) costs ${GET_MAX_WINDOWS} list.json requests; a day more is refused before any`, async () => {
    const from = '2020-01-01';
    const widest = await cost('get_campaign', { vendor: 'clevertap', id: '123', from, to: addDay(from, GET_WIDEST - 1) });
    expect(widest).toMatchObject({ list: GET_MAX_WINDOWS, total: GET_MAX_WINDOWS, isError: true });
    expect(widest.text).toMatch(/not found between 2020-01-01 and 2022-01-13 \(24 list.json requests\)/);
    const over = await cost('get_campaign', { vendor: 'clevertap', id: '123', from, to: addDay(from, GET_WIDEST) });
    expect(over).toMatchObject({ total: 0, isError: true });
    expect(over.text).toMatch(/at most 744 days \(24 list.json requests\); narrow from\/to/);
  });

  it(`list_campaigns: the widest accepted range (${LIST_WIDEST} days) costs 72 requests (36 windows, list and report); a day more is refused before any`, async () => {
    const from = '2024-01-01';
    expect(await cost('list_campaigns', { vendor: 'clevertap', from, to: addDay(from, LIST_WIDEST - 1) })).toMatchObject({ list: 36, total: 72, isError: false });
    const over = await cost('list_campaigns', { vendor: 'clevertap', from, to: addDay(from, LIST_WIDEST) });
    expect(over).toMatchObject({ total: 0, isError: true });
    expect(over.text).toMatch(/at most 1096 days; narrow from\/to/);
  });

  it('dates before 0001, past 9999 or outside the years campaigns live in are refused, naming the bounds, with no request', async () => {
    for (const day of ['0000-12-31', '0001-01-01', '9999-12-31', '10000-01-01', '+010000-01-01', '-000001-01-01', '1969-12-31', '2200-01-01']) {
      for (const [name, extra] of [['get_campaign', { id: '123' }], ['list_campaigns', {}]] as const) {
        const r = await cost(name, { vendor: 'clevertap', ...extra, from: day });
        expect(r, `${name} from ${day}`).toMatchObject({ total: 0, isError: true });
        expect(r.text).toMatch(/dates are (YYYY-MM-DD|between 1970-01-01 and 2199-12-31)/);
      }
    }
  });

  it('below the tools, the adapter refuses years outside 0001-9999 too', () => {
    for (const day of ['0000-12-31', '10000-01-01', '+010000-01-01']) expect(() => resolveRange(day, undefined, NOW, 30)).toThrow(InputError);
    expect(resolveRange('0001-01-01', '0001-01-31', NOW, 30)).toEqual({ from: '0001-01-01', to: '0001-01-31' });
  });

  it('no accepted from/to, id or remembered day makes the search plan longer than the bound', () => {
    const day = fc.date({ min: new Date(`${DAY_BOUNDS.from}T00:00:00Z`), max: new Date(`${DAY_BOUNDS.to}T00:00:00Z`), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    let accepted = 0;
    fc.assert(fc.property(fc.option(day, { nil: undefined }), fc.option(day, { nil: undefined }), fc.nat(), fc.option(day, { nil: undefined }), (from, to, id, seen) => {
      let plan: unknown[];
      try {
        plan = searchPlan(id, { from, to }, NOW, 'UTC', seen);
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return;
      }
      accepted++;
      expect(plan.length).toBeLessThanOrEqual(GET_MAX_WINDOWS + 1);
    }), { numRuns: 2_000 });
    expect(accepted).toBeGreaterThan(500); // most generated ranges are accepted: the bound is what is tested
  });
});
