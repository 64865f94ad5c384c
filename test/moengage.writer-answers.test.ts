import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { serveSim, type RunningSim, type SimReply, type SimRequest } from '../src/sandbox/sim.js';
import { MoEngageAdapter } from '../src/vendors/moengage.js';
import type { MoEngageWriter } from '../src/vendors/moengage-writer.js';
import { refusedAsSent } from '../src/vendors/write-outcome.js';
import type { PlanPart, SendInput, WriteOp } from '../src/vendors/vendor.js';

/**
 * A 2xx that is not MoEngage's documented answer (notes §2: create 201 {campaign_id}, campaigns/status 200 with an
 * empty body, Inform 200 {"message":"Successfully Received", request_id}) is unknown, saying what came back.
 */
const NOW = new Date('2026-11-20T12:00:00Z');
const API_KEY = 'moe-answers-api-key-secret';
const NGINX = '<html><head><title>502</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const create: WriteOp = {
  kind: 'create',
  input: { name: 'Answers', channel: 'push', audience: { all_users: true }, content: { title: 'T', body: 'B' }, schedule: '2026-11-21T10:00' },
};
const status: PlanPart = { request: { method: 'POST', path: '/core-services/v1/campaigns/status', body: { request_id: 'r1', action: 'STOP', campaign_ids: ['c1'] } }, retry_safe: false };
const inform: SendInput = { channel: 'email', id_type: 'email', campaign_id: 'alert_1', content: { subject: 'S', body: 'B' } };

let server: RunningSim;
/** The answer to every request, or one per request. */
let answer: SimReply | ((req: SimRequest) => SimReply);
let http: HttpClient;
let n = 0;

beforeAll(async () => {
  server = await serveSim((req) => (typeof answer === 'function' ? answer(req) : answer));
  http = new HttpClient({ retries: 0, timeoutMs: 3000, clock: fastClock(20) });
});
afterAll(async () => {
  await server.close();
  await http.close();
});

/** A writer of its own workspace: MoEngage's creation quota (5 a minute) never holds one test behind another. */
function writer(): MoEngageWriter {
  return new MoEngageAdapter({ account: 'default', workspaceId: `WSANS${++n}`, apiKey: API_KEY, baseUrl: server.url, now: () => NOW, createdBy: 'a@shop.example' }, http).writer;
}
const createPart = async (w: MoEngageWriter) => (await w.prepare(create, () => NOW)).parts[0]!;
const html = (s: number, raw = NGINX): SimReply => ({ status: s, raw, headers: { 'content-type': 'text/html' } });

describe('MoEngage write answers that are not the documented success', () => {
  it('an HTML 200 page is unknown for a create, a status change and an Inform send, naming the page', async () => {
    answer = html(200);
    const w = writer();
    for (const out of [await w.execute(await createPart(w)), await w.execute(status), await w.execute(w.sendPart(inform, ['a@x.com'], 0, 'k'))]) {
      expect(out.state).toBe('unknown');
      expect(out.message).toMatch(/MoEngage answered HTTP 200 with an HTML page \(text\/html\): "502 Bad Gateway nginx"/);
      expect(out.message).toMatch(/MoEngage may have acted on it/);
      expect(out).not.toHaveProperty('vendor_ref');
    }
  });

  it('an empty 204 is unknown for a create (no campaign_id) and an Inform send', async () => {
    answer = { status: 204 };
    const w = writer();
    expect(await w.execute(await createPart(w))).toMatchObject({ state: 'unknown', message: expect.stringMatching(/HTTP 204 with an empty body.*, not the created campaign's campaign_id/) });
    expect(await w.execute(w.sendPart(inform, ['a@x.com'], 0, 'k'))).toMatchObject({ state: 'unknown', message: expect.stringMatching(/HTTP 204 with an empty body/) });
  });

  it('a create answered with JSON but no campaign_id is unknown (it used to pass as succeeded)', async () => {
    const w = writer();
    answer = { status: 201, body: { status: 'created' } };
    expect(await w.execute(await createPart(w))).toMatchObject({ state: 'unknown', message: expect.stringMatching(/JSON \(application\/json\): "\{"status":"created"\}", not the created campaign's campaign_id/) });
    answer = { status: 201, body: { campaign_id: 42 } };
    expect((await w.execute(await createPart(w))).state).toBe('unknown');
  });

  it('an error envelope on a 2xx is handled as its status: a 400 is refused as sent, a named 500 may have acted', async () => {
    const w = writer();
    answer = { status: 200, body: { error: { code: '400 Bad Request', message: 'request_id key is mandatory field', target: 'request_id', request_id: '11' } } };
    const refused = await w.execute(await createPart(w));
    expect(refused).toMatchObject({ state: 'failed', fatal: true, not_acted: true, message: expect.stringMatching(/request_id key is mandatory field.*HTTP 400/) });
    expect(refusedAsSent(refused.message)).toBe(true);
    answer = { status: 200, body: { error: { code: '500 Internal Server Error', message: 'Something went wrong' } } };
    expect((await w.execute(await createPart(w))).state).toBe('unknown');
  });

  it('never quotes a credential the page echoes', async () => {
    const basic = Buffer.from(`WSANS${n + 1}:${API_KEY}`).toString('base64');
    answer = html(200, `<html><body>Forwarded Authorization: Basic ${basic} key=${API_KEY}</body></html>`);
    const out = await writer().execute(status);
    expect(out.state).toBe('unknown');
    expect(out.message).not.toContain(API_KEY);
    expect(out.message).not.toContain(basic);
  });
});

describe('a create retried after an attempt that may have acted', () => {
  it('stays unknown whatever the retries meet (a 429, a 400): never "not acted", which a new preview would write again', async () => {
    const retrying = new HttpClient({ retries: 3, baseDelayMs: 5, maxDelayMs: 20, clock: fastClock(50) });
    const refused = { status: 429, body: { error: { code: '429 conflict', message: 'rate_limit', target: '' } } };
    const taken = { status: 409, body: { error: { code: '409 Conflict', message: 'request_id has already been used', target: 'request_id' } } };
    const bad = { status: 400, body: { error: { code: '400 Bad Request', message: 'Campaign with this name already exists', target: 'basic_details.name' } } };
    try {
      for (const [after, state] of [[[refused, refused, refused], 'unknown'], [[bad], 'unknown'], [[taken], 'succeeded']] as const) {
        const w = new MoEngageAdapter({ account: 'default', workspaceId: `WSANS${++n}`, apiKey: API_KEY, baseUrl: server.url, now: () => NOW, createdBy: 'a@shop.example' }, retrying).writer;
        const replies: SimReply[] = [{ status: 500, body: { error: { code: '500 Internal Server Error', message: 'Something went wrong' } } }, ...after];
        answer = () => replies.shift() ?? { status: 201, body: { campaign_id: 'late' } };
        const out = await w.execute(await createPart(w));
        expect(out, JSON.stringify(after)).toMatchObject({ state });
        expect(out).not.toHaveProperty('not_acted');
        if (state === 'unknown') expect(out.message).toMatch(/^an earlier attempt may have acted \(Something went wrong.*\); then /);
      }
    } finally {
      await retrying.close();
    }
  });
});

describe('Inform\'s per-channel answer', () => {
  it('a 200 whose entry for the channel sent has an err_code is that recipient refused (never resent), the others still succeed', async () => {
    const w = writer();
    // One user a request: a@ accepted, b@ refused on EMAIL, c@ accepted (an entry with an err_code for a channel not sent).
    const ok = { message: 'Success', status_code: 200 };
    const entries: Record<string, Record<string, unknown>> = {
      'a@x.com': { EMAIL: ok },
      'b@x.com': { EMAIL: { message: 'Invalid email address', err_code: 'BAD_REQUEST', status_code: 120010 } },
      'c@x.com': { EMAIL: ok, SMS: { message: 'Invalid mobile number', err_code: 'BAD_REQUEST', status_code: 120010 } },
      // The channel's key in another case, a numeric err_code: refused all the same.
      'd@x.com': { email: { message: 'Unsubscribed', err_code: 120011 } },
    };
    answer = (req) => {
      const to = ((req.body as { payloads: { EMAIL: { recipient: string } } }).payloads.EMAIL.recipient);
      return { status: 200, body: { message: 'Successfully Received', request_id: `r-${to}`, ...entries[to] } };
    };
    const out = await w.execute(w.sendPart(inform, ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'], 0, 'k'));
    expect(out).toMatchObject({ state: 'failed', accepted: 2, each: 'sfsf' });
    expect(out.message).toMatch(/first problem: MoEngage refused the EMAIL message: Invalid email address \(BAD_REQUEST 120010\)/);
  });
});

describe('MoEngage write answers that are documented keep succeeding', () => {
  it('201 {campaign_id}, an empty 200 on campaigns/status, Inform\'s "Successfully Received"', async () => {
    const w = writer();
    answer = { status: 201, body: { campaign_id: 'camp_abc123xyz' } };
    expect(await w.execute(await createPart(w))).toEqual({ state: 'succeeded', vendor_ref: 'camp_abc123xyz' });
    answer = { status: 200 };
    expect(await w.execute(status)).toEqual({ state: 'succeeded' });
    answer = { status: 200, body: { message: 'Successfully Received', request_id: 'b1c2', EMAIL: { message: 'Success', status_code: 200 } } };
    expect(await w.execute(w.sendPart(inform, ['a@x.com', 'b@x.com'], 0, 'k'))).toMatchObject({ state: 'succeeded', accepted: 2 });
  });
});
