import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorError } from '../src/errors.js';
import { HttpClient } from '../src/http.js';
import { MOENGAGE_DOCUMENTED_KEYS, startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import { serveSim, type RunningSim, type SimReply } from '../src/sandbox/sim.js';
import { MoEngageAdapter } from '../src/vendors/moengage.js';
import { seedFixture, typeMismatches } from './helpers/seed-shape.js';

type Item = Record<string, unknown>;
const RESPONSE = seedFixture<Item[]>('moengage', 'search-response-200.json');
const LITERAL = seedFixture<string>('moengage', 'search-response-200.literal.txt');
const REQUESTS = ['search-request-channels.json', 'search-request-delivery-type.json', 'search-request-created-date.json'].map((f) => seedFixture<Item>('moengage', f));
const ERRORS = { 400: seedFixture<Item>('moengage', 'error-400.json'), 401: seedFixture<Item>('moengage', 'error-401.json'), 500: seedFixture<Item>('moengage', 'error-500.json') };
/** Seed 002's "200 - Success Response" table plus the keys of its sample response. */
const SEED_KEYS = new Set([...MOENGAGE_DOCUMENTED_KEYS, ...Object.keys(RESPONSE[0]!)]);
const NOW = new Date('2026-11-20T12:00:00Z');

const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20 });
let reply: SimReply = { status: 200, body: RESPONSE };
let double: RunningSim;
let sims: MoEngageSim[] = [];
const adapter = (url = double.url, ws = 'WSSEED01', apiKey = 'seed-key-0001') => new MoEngageAdapter({ account: 'default', workspaceId: ws, apiKey, baseUrl: url, now: () => NOW }, http);

beforeAll(async () => {
  double = await serveSim(() => reply);
  sims = await Promise.all([false, true].map((documentedOnly) => startMoEngageSim({ seed: 11, now: NOW, documentedOnly })));
});
afterAll(async () => {
  await Promise.all([double.close(), ...sims.map((s) => s.close())]);
  await http.close();
});

describe('moengage adapter parses seed 002 literally (loopback double)', () => {
  it('lists and details the sample campaign', async () => {
    reply = { status: 200, body: RESPONSE };
    const { campaigns } = await adapter().listCampaigns({});
    expect(campaigns).toEqual([{
      vendor: 'moengage', account: 'default', id: '{Campaign_ID}', name: 'happy flow campaigns api', status: 'running', vendor_status: 'Active',
      channel: 'email', created_at: '2024-07-04T08:00:00Z', scheduled_at: '2024-07-04T20:32:00Z', tags: ['activation'],
    }]);
    const { campaign } = await adapter().getCampaign('{Campaign_ID}', {});
    expect(campaign).toMatchObject({
      delivery: 'recurring', control_group: true, respects_frequency_caps: false,
      schedule: { start: '2024-07-04T20:32:00Z', end: '2034-06-07T20:32:00Z', recurrence: 'monthly, 3 times' },
      audience: 'Users where u_em exists',
    });
    expect(campaign.content).toMatch(/^abca locale default — hey Userattribute-/);
  });

  it('sends requests with the seed\'s keys and types, created_date in its DD-MM-YYYY form', async () => {
    reply = { status: 200, body: RESPONSE };
    const before = double.requests.length;
    await adapter().listCampaigns({ channel: 'email', status: 'completed', from: '2024-06-16', to: '2024-06-21' });
    const body = double.requests[before]!.body as Item;
    const seed = REQUESTS[2]!;
    expect(typeMismatches(body, seed)).toEqual([]);
    for (const k of ['request_id', 'limit', 'page']) expect(body).toHaveProperty(k);
    const fields = body.campaign_fields as Item;
    expect(Object.keys(fields).every((k) => ['channels', 'created_by', 'created_date', 'delivery_type', 'id', 'name', 'status', 'tags'].includes(k))).toBe(true);
    // The seed's word, and the OpenAPI's UPPERCASE beside it (notes §2(a)): either casing finds the campaigns.
    expect(fields.status).toEqual(['Sent', 'SENT']);
    const dmy = /^\d{2}-\d{2}-\d{4}$/;
    expect((seed.campaign_fields as { created_date: Item }).created_date.from_date).toMatch(dmy);
    expect(fields.created_date).toEqual({ from_date: '18-03-2024', to_date: '22-06-2024' });
    expect(double.requests[before]!.headers['moe-appkey']).toBe('WSSEED01');
  });

  it('reads the page as printed: its unescaped quotes are malformed JSON, said so', async () => {
    reply = { status: 200, raw: LITERAL };
    await expect(adapter().listCampaigns({})).rejects.toThrow('MoEngage answered with malformed JSON');
  });

  it.each([[400, 'request_id key is mandatory field (field request_id)'], [401, 'Authentication required'], [500, 'Something went wrong. Please contact Moengage team']] as const)(
    'explains the seed\'s %i body, on its status and inside a 200 alike', async (status, message) => {
      for (const on of [status, 200]) {
        reply = { status: on, body: ERRORS[status] };
        const err = (await adapter().listCampaigns({}).catch((e: unknown) => e)) as VendorError;
        expect(err).toBeInstanceOf(VendorError);
        expect([err.status, err.message]).toEqual([status, message]);
        if (status === 401) expect(err.hint).toMatch(/MOENGAGE_API_KEY/);
      }
    });
});

describe('moengage simulator answers with seed 002\'s keys and types', () => {
  const post = async (s: MoEngageSim, body: unknown, key = s.credentials.apiKey) => {
    const res = await fetch(`${s.url}/core-services/v1/campaigns/search`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'MOE-APPKEY': s.credentials.workspaceId, authorization: `Basic ${Buffer.from(`${s.credentials.workspaceId}:${key}`).toString('base64')}` },
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it.each([0, 1])('answers each of the seed\'s sample requests literally (documentedOnly: %i)', async (mode) => {
    const s = sims[mode]!;
    for (const [i, req] of REQUESTS.entries()) {
      const r = await post(s, { ...req, limit: 15, page: 1 + i });
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body)).toBe(true);
      for (const item of r.body as Item[]) {
        expect(Object.keys(item).filter((k) => !SEED_KEYS.has(k))).toEqual([]);
        expect(typeMismatches(item, RESPONSE[0]), String(item.campaign_id)).toEqual([]);
      }
    }
    const sentEmail = (await post(s, { request_id: 'x', limit: 15, page: 1, campaign_fields: { channels: ['EMAIL'], status: ['Sent'] } })).body as Item[];
    expect(sentEmail.length).toBeGreaterThan(0);
    for (const item of sentEmail) expect(Object.keys(RESPONSE[0]!).filter((k) => !(k in item))).toEqual([]);
  });

  it('answers the seed\'s error bodies with their keys and types', async () => {
    const s = sims[1]!;
    const missing = await post(s, { limit: 5, page: 1 });
    const { request_id: _echoed, ...sameError } = (ERRORS[400] as { error: Item }).error;
    expect([missing.status, typeMismatches(missing.body, ERRORS[400])]).toEqual([400, []]);
    expect(missing.body).toMatchObject({ error: sameError });
    const denied = await post(s, REQUESTS[0], 'wrong-key');
    expect([denied.status, typeMismatches(denied.body, ERRORS[401])]).toEqual([401, []]);
    expect(denied.body).toEqual(ERRORS[401]);
  });
});
