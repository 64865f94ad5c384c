import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http.js';
import { serveSim, type RunningSim } from '../src/sandbox/sim.js';
import { startAltcraftSim, type AltcraftSim } from '../src/sandbox/altcraft.js';
import { AltcraftAdapter } from '../src/vendors/altcraft.js';
import { seedFixture, shapeDiff } from './helpers/seed-shape.js';

type Rec = Record<string, unknown>;
const LIST = seedFixture<Rec>('altcraft/004-scampaigns-list.response.json');
const NOW = new Date('2026-11-22T12:00:00Z');
let http: HttpClient;
beforeAll(() => {
  http = new HttpClient({ retries: 0 });
});
afterAll(() => http.close());

describe('the Altcraft adapter parses the seed 004 literal answer (loopback double)', () => {
  let double: RunningSim;
  beforeAll(async () => {
    double = await serveSim((req) => {
      if (req.path === '/api/v1.1/scampaigns/list') return { status: 200, body: LIST };
      // campaigns/list has no seed: the documented envelope (notes 4 Common) with no mailings.
      if (req.path === '/api/v1.1/campaigns/list') return { status: 200, body: { error: 0, error_text: 'Successful operation', data: [] } };
      return { status: 404, body: { error: 404, error_text: 'Method not found', data: null } };
    });
  });
  afterAll(() => double.close());
  const adapter = () => new AltcraftAdapter({ account: 'default', token: 'abcdefghijklmnqrstuvwxyz', baseUrl: double.url, timezone: 'Europe/Moscow', now: () => NOW }, http);

  it('lists the seed campaign: inactive after an actual start is paused, times in the account zone', async () => {
    const res = await adapter().listCampaigns({});
    expect(res).toEqual({
      campaigns: [{ vendor: 'altcraft', account: 'default', id: 'campaign-42', name: 'Seasonal sale', status: 'paused', vendor_status: 'inactive', channel: 'other', created_at: '2025-08-22T10:15:00+03:00' }],
      requests: 2,
    });
  });

  it('gets it through scampaigns/list when scampaigns/get ([U]) is missing', async () => {
    const { campaign } = await adapter().getCampaign('campaign-42', {});
    expect(campaign).toMatchObject({
      id: 'campaign-42', audience: 'segment 124 of database 49', control_group: true,
      schedule: { end: '2025-08-23T10:36:00+03:00' }, updated_at: '2025-08-22T12:13:00+03:00',
    });
  });
});

for (const documentedOnly of [false, true]) {
  describe(`the Altcraft simulator answers scampaigns/list with the seed keys and types (documentedOnly: ${documentedOnly})`, () => {
    let sim: AltcraftSim;
    beforeAll(async () => {
      sim = await startAltcraftSim({ now: NOW, documentedOnly });
    });
    afterAll(() => sim.close());

    it('004: the seed request, with the sandbox token', async () => {
      const request = { ...seedFixture<Rec>('altcraft/004-scampaigns-list.request.json'), token: sim.credentials.token };
      const res = await fetch(`${sim.url}/api/v1.1/scampaigns/list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      const body = (await res.json()) as Rec;
      expect(res.status).toBe(200);
      expect((body.data as unknown[]).length).toBe(1);
      const all = await (await fetch(`${sim.url}/api/v1.1/scampaigns/list`, { method: 'POST', headers: { authorization: `Bearer ${sim.credentials.token}` }, body: '{}' })).json() as Rec;
      const rules = {
        // Documented in seed 004's tables but absent from its example: the paging pointer and the planned start.
        extra: ['next_from_id', 'data[].active_period.settings.start_at'],
        // State-dependent: a campaign that never ran has no history, one without an end has no end_at.
        optional: ['data[].active_period.settings.end_at', 'data[].active_period.history.start', 'data[].active_period.history.stop', 'data[].attributes.season', 'data[].attributes.branch'],
        maps: ['data[].attributes'],
      };
      expect(shapeDiff(body, LIST, rules)).toEqual([]);
      expect(shapeDiff(all, LIST, rules)).toEqual([]);
    });
  });
}
