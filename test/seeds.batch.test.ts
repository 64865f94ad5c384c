import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorError } from '../src/errors.js';
import { HttpClient } from '../src/http.js';
import { BATCH_LIST_KEYS } from '../src/sandbox/batch-data.js';
import { startBatchSim, type BatchSim } from '../src/sandbox/batch.js';
import { serveSim, type RunningSim, type SimReply } from '../src/sandbox/sim.js';
import { BatchAdapter } from '../src/vendors/batch.js';
import { seedFixture, typeMismatches } from './helpers/seed-shape.js';

type Item = Record<string, unknown>;
const LIST = seedFixture<Item[]>('batch', 'list-response-200.json');
const REQUEST = seedFixture<{ path: string; query: Record<string, string>; parameters: Record<string, string> }>('batch', 'list-request.json');
const ERRORS = seedFixture<Array<{ name: string; status: number; code: number }>>('batch', 'errors.json');
/** Keys every item of seed 003's example carries. */
const ALWAYS = Object.keys(LIST[0]!).filter((k) => LIST.every((x) => k in x) && k !== 'push_time');
/** One example value per key, from whichever seed item has it. */
const EXAMPLE: Item = Object.assign({}, ...[...LIST].reverse());
const NOW = new Date('2026-11-20T12:00:00Z');

const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20 });
let reply: SimReply = { status: 200, body: LIST };
let double: RunningSim;
let sims: BatchSim[] = [];
const adapter = (client = http) => new BatchAdapter({ account: 'main', apiKey: 'SEEDAPPKEY', restApiKey: 'seed-rest-key', baseUrl: double.url, now: () => NOW }, client);

beforeAll(async () => {
  double = await serveSim(() => reply);
  sims = await Promise.all([false, true].map((documentedOnly) => startBatchSim({ seed: 5, now: NOW, documentedOnly, rateLimit: false })));
});
afterAll(async () => {
  await Promise.all([double.close(), ...sims.map((s) => s.close())]);
  await http.close();
});

describe('batch adapter parses seed 003 literally (loopback double)', () => {
  it('lists the three example campaigns with derived statuses and instants', async () => {
    reply = { status: 200, body: LIST };
    const { campaigns } = await adapter().listCampaigns({});
    expect(campaigns.map((c) => [c.id, c.name, c.status, c.vendor_status, c.channel, c.created_at, c.scheduled_at])).toEqual([
      ['a0082dc6860938a26280bd3ba927302f', 'Test Trigger Automation 1', 'running', 'live/trigger', 'push', '2020-03-02T09:45:00Z', '2020-07-06T14:09:00Z'],
      ['a0082dc6860938a26280bd3ba927303b', 'Test Campaign 1', 'completed', 'live', 'push', '2017-03-02T09:43:00Z', '2017-07-06T14:09:00Z'],
      ['a0082dc6860938a26280bd3ba927303a', 'Test Campaign 2', 'stopped', 'not-live/recurring', 'push', '2017-03-02T09:43:00Z', '2017-03-03T13:10:00Z'],
    ]);
  });

  it('asks the way the seed does: the key in the path, X-Authorization, only its query parameters', async () => {
    reply = { status: 200, body: LIST };
    const before = double.requests.length;
    await adapter().listCampaigns({ status: 'stopped' });
    const r = double.requests[before]!;
    expect(r.path).toBe(REQUEST.path.replace('BATCH_API_KEY', 'SEEDAPPKEY'));
    expect(r.headers['x-authorization']).toBe('seed-rest-key');
    expect(Object.keys(r.query).filter((k) => !(k in REQUEST.parameters))).toEqual([]);
    expect(r.query).toEqual({ from: '0', limit: '100', live: 'false' });
  });

  it.each(ERRORS)('explains $name (HTTP $status, code $code), on its status and inside a 200 alike', async ({ name, status, code }) => {
    for (const on of [status, 200]) {
      reply = { status: on, body: { error_code: code, error_message: name.toLowerCase() } };
      const once = new HttpClient({ retries: 0 }); // fresh: a 429 hold must not delay the next case
      const err = (await adapter(once).listCampaigns({}).catch((e: unknown) => e)) as VendorError;
      await once.close();
      expect(err).toBeInstanceOf(VendorError);
      expect([err.status, err.code]).toEqual([status, code]);
      expect(err.message).toContain(name);
    }
  });
});

describe('batch simulator answers with seed 003\'s keys and types', () => {
  const get = async (s: BatchSim, path: string, key = s.credentials.apiKey) => {
    const res = await fetch(`${s.url}/1.1/${key}/${path}`, { headers: { 'x-authorization': s.credentials.restApiKey, 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it.each([0, 1])('lists with the seed\'s keys and types (documentedOnly: %i)', async (mode) => {
    const s = sims[mode]!;
    const { status, body } = await get(s, `campaigns/list?${new URLSearchParams(REQUEST.query)}`);
    expect(status).toBe(200);
    const items = body as Item[];
    expect(items).toHaveLength(5);
    const all = ((await get(s, 'campaigns/list?limit=100')).body as Item[]).concat((await get(s, 'campaigns/list?limit=100&from=100')).body as Item[]);
    expect(all).toHaveLength(s.campaigns.length);
    for (const item of [...items, ...all]) {
      expect(ALWAYS.filter((k) => !(k in item))).toEqual([]);
      expect(typeMismatches(item, EXAMPLE), String(item.campaign_token)).toEqual([]);
      if (mode === 1) expect(Object.keys(item).filter((k) => !(BATCH_LIST_KEYS as readonly string[]).includes(k) || !(k in EXAMPLE))).toEqual([]);
    }
    expect(all.every((x) => typeof x.created_date === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(x.created_date))).toBe(true);
  });

  it('answers the seed\'s errors with their status and code', async () => {
    const s = sims[1]!;
    const seen = [
      await get(s, 'campaigns/list?limit=101'), await get(s, 'campaigns/list', 'WRONGKEY'),
      await get(s, `campaigns/stats/${s.campaigns[0]!.record.campaign_token}`, s.devApiKey), await get(s, 'nothing/here'),
    ].map((r) => [r.status, (r.body as Item).error_code]);
    const want = ['MALFORMED_PARAMETER', 'AUTHENTICATION_INVALID', 'API_MISUSE', 'ROUTE_NOT_FOUND'].map((n) => ERRORS.find((e) => e.name === n)!).map((e) => [e.status, e.code]);
    expect(seen).toEqual(want);
  });
});
