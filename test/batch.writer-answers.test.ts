import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http.js';
import { serveSim, type RunningSim, type SimReply } from '../src/sandbox/sim.js';
import { BatchAdapter } from '../src/vendors/batch.js';
import type { BatchWriter } from '../src/vendors/batch-writer.js';
import type { PlanPart, SendInput } from '../src/vendors/vendor.js';

/**
 * A 2xx that is not Batch's documented answer (notes 3(e)(f): a JSON object, a create's naming the campaign token) may
 * come from a proxy or a wrong base URL after Batch acted, or instead of Batch: unknown, saying what came back.
 */
const API_KEY = 'BATCHAPIKEY-answers-0001';
const REST_KEY = 'batch-rest-answers-secret';
const push: SendInput = { channel: 'push', id_type: 'identity', content: { title: 'Hi', body: 'Shipped' } };
const NGINX = '<!DOCTYPE html><html><head><title>Welcome</title><style>body{}</style></head><body><h1>Welcome to nginx!</h1><p>If you see this page, the web server works.</p></body></html>';

let server: RunningSim;
let answer: SimReply;
let http: HttpClient;
let w: BatchWriter;
let create: PlanPart;
let send: PlanPart;
let update: PlanPart;

beforeAll(async () => {
  server = await serveSim(() => answer);
  http = new HttpClient({ retries: 0, timeoutMs: 3000 });
  w = new BatchAdapter({ account: 'default', apiKey: API_KEY, restApiKey: REST_KEY, baseUrl: server.url }, http).writer;
  create = (await w.prepare({ kind: 'create', input: { name: 'Answers', channel: 'push', audience: { all_users: true }, content: { title: 'T', body: 'B' } } }, () => new Date())).parts[0]!;
  send = w.sendPart(push, ['u1', 'u2'], 0, 'k');
  update = { request: { method: 'POST', path: 'campaigns/update/abc123', body: { live: false } }, retry_safe: false };
});
afterAll(async () => {
  await server.close();
  await http.close();
});

const html = (status: number, raw = NGINX): SimReply => ({ status, raw, headers: { 'content-type': 'text/html; charset=utf-8' } });

describe('Batch write answers that are not the documented success', () => {
  it('an HTML 200 page (a proxy, a wrong base URL) is unknown for every write, naming the page', async () => {
    answer = html(200);
    for (const part of [create, send, update]) {
      const out = await w.execute(part);
      expect(out.state).toBe('unknown');
      expect(out.message).toMatch(/^Batch answered HTTP 200 with an HTML page \(text\/html\): "Welcome to nginx! If you see this page/);
      expect(out.message).toMatch(/Batch may have acted on it, or a proxy or a wrong base URL answered instead: check in Batch before sending it again/);
      expect(out).not.toHaveProperty('vendor_ref');
    }
  });

  it('an empty 204 is unknown: Batch documents a JSON body on 201', async () => {
    answer = { status: 204 };
    for (const part of [create, send, update]) {
      expect(await w.execute(part)).toMatchObject({ state: 'unknown', message: expect.stringMatching(/HTTP 204 with an empty body/) });
    }
  });

  it('a create answered with JSON but no campaign token is unknown, and quotes what it got', async () => {
    answer = { status: 201, body: { ok: true } };
    const out = await w.execute(create);
    expect(out).toMatchObject({ state: 'unknown', message: expect.stringMatching(/HTTP 201 with JSON \(application\/json\): "\{"ok":true\}", not the created campaign's campaign_token/) });
    answer = { status: 201, body: { campaign_token: '' } };
    expect((await w.execute(create)).state).toBe('unknown');
    answer = { status: 200, body: [] };
    expect((await w.execute(create)).state).toBe('unknown');
  });

  it('text that is not JSON is unknown, cut short', async () => {
    answer = { status: 200, raw: `OK ${'x'.repeat(500)}` };
    const out = await w.execute(update);
    expect(out.state).toBe('unknown');
    expect(out.message).toMatch(/a body that is not JSON \(text\/plain\): "OK x+…"/);
    expect(out.message!.length).toBeLessThan(400);
  });

  it('never quotes a credential the page echoes (the API key is in the URL path)', async () => {
    answer = html(200, `<html><body>No route for /1.1/${API_KEY}/campaigns/create (X-Authorization: ${REST_KEY})</body></html>`);
    const out = await w.execute(create);
    expect(out.state).toBe('unknown');
    expect(out.message).toContain('[redacted]');
    expect(out.message).not.toContain(API_KEY);
    expect(out.message).not.toContain(REST_KEY);
  });
});

describe('Batch write answers that are documented keep succeeding', () => {
  it('201 {campaign_token} on create, 201 {token} or a JSON object on send, 200 JSON on update', async () => {
    answer = { status: 201, body: { campaign_token: 'a0082dc6860938a26280bd3ba927303b' } };
    expect(await w.execute(create)).toEqual({ state: 'succeeded', vendor_ref: 'a0082dc6860938a26280bd3ba927303b' });
    answer = { status: 201, body: { token: 'c2a4d6e8' } };
    expect(await w.execute(send)).toEqual({ state: 'succeeded', vendor_ref: 'c2a4d6e8' });
    // The send answer's key is [3P] (notes 3(f)): a JSON object without it is not held against Batch.
    answer = { status: 201, body: {} };
    expect(await w.execute(send)).toEqual({ state: 'succeeded' });
    answer = { status: 200, body: { campaign_token: 'abc123' } };
    expect(await w.execute(update)).toEqual({ state: 'succeeded', vendor_ref: 'abc123' });
  });
});
