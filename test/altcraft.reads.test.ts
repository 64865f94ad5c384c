import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VendorError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { serveSim } from '../src/sandbox/sim.js';
import { startAltcraftSim, type AltcraftSim } from '../src/sandbox/altcraft.js';
import { AltcraftAdapter } from '../src/vendors/altcraft.js';

/** Pacing, rate limits and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);

const NOW = new Date('2026-11-22T12:00:00Z');
let http: HttpClient;
beforeAll(() => {
  http = new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, clock: fast });
});
afterAll(() => http.close());

for (const documentedOnly of [false, true]) {
  describe(`issue 9 on Altcraft (documentedOnly: ${documentedOnly})`, () => {
    let sim: AltcraftSim;
    let a: AltcraftAdapter;
    beforeAll(async () => {
      sim = await startAltcraftSim({ now: NOW, rateLimitPerSec: 1000, documentedOnly, clock: fast });
      a = new AltcraftAdapter({ account: 'default', token: sim.credentials.token, baseUrl: sim.url, now: () => NOW, timezone: 'Europe/Moscow' }, http);
    });
    afterAll(() => sim.close());

    it('lists every container and mailing; mailings never activated are draft, not paused', async () => {
      const { campaigns, warnings } = await a.listCampaigns({});
      expect(warnings).toBeUndefined();
      expect(campaigns).toHaveLength(sim.campaigns.length + sim.mailings.length);
      const inactive = sim.mailings.filter((m) => !m.is_active && !m.is_completed && (documentedOnly || m.status === 'Inactive'));
      expect(inactive.length).toBeGreaterThan(10);
      for (const m of inactive) expect(campaigns.find((c) => c.id === `mailing-${m.id}`)!.status).toBe('draft');
      for (const c of campaigns) for (const t of [c.created_at, c.scheduled_at]) if (t) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
    });

    it('scampaigns/list refused: the mailings come back with a warning naming the method', async () => {
      sim.failRoutes.set('scampaigns/list', 403);
      try {
        const { campaigns, warnings } = await a.listCampaigns({});
        expect(campaigns.map((c) => c.id).sort()).toEqual(sim.mailings.map((m) => `mailing-${m.id}`).sort());
        expect(warnings).toEqual(['scampaigns/list failed (Access denied: the token has no rights for this method, HTTP 403): campaigns (containers of mailings) are missing; mailings are listed']);
      } finally {
        sim.failRoutes.clear();
      }
    });

    it('campaigns/list failing: the containers come back with a warning; both failing is an error', async () => {
      sim.failRoutes.set('campaigns/list', 500);
      try {
        const { campaigns, warnings } = await a.listCampaigns({});
        expect(campaigns.map((c) => c.id).sort()).toEqual(sim.campaigns.map((c) => `campaign-${c.id}`).sort());
        expect(warnings).toEqual(['campaigns/list failed (Internal error, HTTP 500): mailings are missing; only campaigns (containers) are listed']);
        await expect(a.listCampaigns({ channel: 'email' })).rejects.toMatchObject({ status: 500 });
        sim.failRoutes.set('scampaigns/list', 403);
        await expect(a.listCampaigns({})).rejects.toBeInstanceOf(VendorError);
      } finally {
        sim.failRoutes.clear();
      }
    });
  });
}

describe('an Altcraft error inside a 200 is classified like its status', () => {
  it('error 503 on HTTP 200 is retried and reported as 503 with its own text', async () => {
    const fake = await serveSim(() => ({ status: 200, body: { error: 503, error_text: 'Service temporarily unavailable', data: null } }));
    try {
      const a = new AltcraftAdapter({ account: 'x', token: 't', baseUrl: fake.url }, http);
      await expect(a.getReport('mailing-1')).rejects.toMatchObject({ status: 503, code: 503, message: 'Service temporarily unavailable' });
      expect(fake.requests.filter((r) => r.path.endsWith('/campaigns/log_v2'))).toHaveLength(4);
    } finally {
      await fake.close();
    }
  });
});
