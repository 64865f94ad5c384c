import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http.js';
import { serveSim, type RunningSim, type SimReply } from '../src/sandbox/sim.js';
import { startCleverTapSim, type CleverTapSim } from '../src/sandbox/clevertap.js';
import { CleverTapAdapter } from '../src/vendors/clevertap.js';
import { seedFixture, shapeDiff } from './helpers/seed-shape.js';

type Rec = Record<string, unknown>;
const LIST = seedFixture<Rec>('clevertap/000-list.response.json');
const EMPTY = seedFixture<Rec>('clevertap/000-list.empty.json');
const LIST_ERRORS = seedFixture<Array<{ http: number; code: string; body: { error: string; code: number } }>>('clevertap/000-list.errors.json');
const ESTIMATE = seedFixture<Rec>('clevertap/001-create-estimate.response.json');
const SEND = seedFixture<Rec>('clevertap/001-send.response.json');
const SEND_ERRORS = seedFixture<Array<{ code: number; error: string }>>('clevertap/001-send.errors.json');
const NOW = new Date('2026-11-20T12:00:00Z');
let http: HttpClient;
beforeAll(() => {
  http = new HttpClient({ retries: 0 });
});
afterAll(() => http.close());

describe('the CleverTap adapter parses the seed literal answers (loopback double)', () => {
  let double: RunningSim;
  let reply: (path: string, body: Rec) => SimReply;
  beforeAll(async () => {
    double = await serveSim((req) => reply(req.path, req.body as Rec));
  });
  afterAll(() => double.close());
  // Not the seed's literal 'PASSCODE': an adapter registers its passcode for redaction in the whole worker (files share
  // one with isolate: false), and 'PASSCODE' then blanked 'CLEVERTAP_PASSCODE' in the hints later files assert.
  const adapter = () => new CleverTapAdapter({ account: 'default', accountId: 'ACCOUNT_ID', passcode: 'seed-double-passcode', baseUrl: double.url, timezone: 'Asia/Kolkata', now: () => NOW }, http);
  const seedAnswers = (path: string, b: Rec): SimReply => {
    if (path === '/1/targets/list.json') return { status: 200, body: (b.from as number) <= 20160101 && (b.to as number) >= 20160101 ? LIST : EMPTY };
    if (path === '/1/targets/create.json') return { status: 200, body: ESTIMATE };
    return { status: 404, body: { status: 'fail', error: 'Not found', code: 404 } }; // report.json is in no seed
  };

  it('000: both targets, scheduled_on read in the account zone, report.json missing said in warnings', async () => {
    reply = seedAnswers;
    const res = await adapter().listCampaigns({ from: '2016-01-01', to: '2016-01-01' });
    expect(res.campaigns).toEqual([
      { vendor: 'clevertap', account: 'default', id: '1457432766', name: 'My API Campaign 2', status: 'completed', vendor_status: 'completed', channel: 'other', scheduled_at: '2016-01-01T15:56:00+05:30' },
      { vendor: 'clevertap', account: 'default', id: '1457429935', name: 'My API Campaign', status: 'scheduled', vendor_status: 'pending', channel: 'other', scheduled_at: '2016-01-01T15:08:00+05:30' },
    ]);
    expect(res.warnings).toEqual(['channels and labels unknown: message/report.json failed (HTTP 404: Not found); campaigns show channel "other" and no tags']);
    expect((await adapter().listCampaigns({ from: '2016-02-01', to: '2016-02-02' })).campaigns).toEqual([]);
  });

  it('000: a seed id is found without dates even though it was created after its scheduled day', async () => {
    reply = seedAnswers;
    const got = await adapter().getCampaign('1457429935', {});
    expect(got.campaign).toMatchObject({ id: '1457429935', name: 'My API Campaign', schedule: { start: '2016-01-01T15:08:00+05:30' } });
    expect(got.range!.from <= '2016-01-01' && got.range!.to >= '2016-01-01').toBe(true);
  });

  it('000: every documented error, on its status and inside a 200, is that status with the seed text', async () => {
    for (const e of LIST_ERRORS) {
      for (const status of [e.http, 200]) {
        reply = () => ({ status, body: e.body });
        await expect(adapter().listCampaigns({ from: '2016-01-01', to: '2016-01-01' }), `${e.code} on ${status}`).rejects.toMatchObject({ status: e.http, message: e.body.error, code: e.body.code });
      }
    }
  });

  it('001: the estimate sums the platform keys the seed shows', async () => {
    reply = seedAnswers;
    expect(await adapter().estimateReach('webpush', { all_users: true })).toMatchObject({ estimated_reach: 2, by_platform: { web: 2 } });
  });
});

for (const documentedOnly of [false, true]) {
  describe(`the CleverTap simulator answers with the seed keys and types (documentedOnly: ${documentedOnly})`, () => {
    let sim: CleverTapSim;
    beforeAll(async () => {
      sim = await startCleverTapSim({ seed: 5, now: NOW, documentedOnly, createPerSecond: 100 });
    });
    afterAll(() => sim.close());
    const call = async (path: string, body: unknown, passcode = sim.credentials.passcode) => {
      const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'X-CleverTap-Account-Id': sim.credentials.accountId, 'X-CleverTap-Passcode': passcode, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Rec };
    };

    it('000: list.json (the seed request, a window with data) and its documented errors', async () => {
      expect(await call('/1/targets/list.json', seedFixture('clevertap/000-list.request.json'))).toEqual({ status: 200, body: EMPTY });
      const full = await call('/1/targets/list.json', { from: 20261101, to: 20261120 });
      expect((full.body.targets as unknown[]).length).toBeGreaterThan(3);
      expect(shapeDiff(full.body, LIST)).toEqual([]);
      const byCode = Object.fromEntries(LIST_ERRORS.map((e) => [e.code, { status: e.http, body: e.body }]));
      expect(await call('/1/targets/list.json', { from: 2016011, to: 20160101 })).toEqual(byCode.invalid_date_format);
      expect(await call('/1/targets/list.json', { from: 20160105, to: 20160101 })).toEqual(byCode.invalid_range);
      expect(await call('/1/targets/list.json', { from: 20160101, to: 20160101 }, 'wrong')).toEqual(byCode.unauthorized);
    });

    it('001: the seed create request estimates per platform; the seed send request is queued; send errors use the seed codes and texts', async () => {
      const est = await call('/1/targets/create.json', seedFixture('clevertap/001-create-estimate.request.json'));
      expect(est.status).toBe(200);
      expect(shapeDiff(est.body, ESTIMATE, { maps: ['estimates'] })).toEqual([]);
      expect(await call('/1/send/sms.json', seedFixture('clevertap/001-send-sms.request.json'))).toEqual({ status: 200, body: SEND });
      const text = Object.fromEntries(SEND_ERRORS.map((e) => [e.code, e.error]));
      for (const [code, body] of [[21, { content: { body: 'x' } }], [84, { to: { Nope: ['x'] } }], [73, { to: { Email: ['a@b.c'] }, respect_frequency_caps: 'no' }], [78, '{"to":']] as const) {
        expect((await call('/1/send/sms.json', body)).body).toEqual({ status: 'fail', error: text[code], code });
      }
    });
  });
}
