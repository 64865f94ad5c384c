import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { fastClock } from '../src/clock.js';
import { virtualClock } from '../src/concurrency.js';
import { HttpClient } from '../src/http.js';
import { startMoEngageSim, type MoEngageSim } from '../src/sandbox/moengage.js';
import { MOENGAGE_SANDBOX_ALERT } from '../src/sandbox/moengage-writes.js';
import { MoEngageAdapter } from '../src/vendors/moengage.js';
import type { SendInput, WriteOp } from '../src/vendors/vendor.js';
import type { HttpRequest } from '../src/http-types.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const clock = () => NOW;
/** Pacing, quotas and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
const sims: MoEngageSim[] = [];
let n = 0;

/** A fresh simulator and adapter per test: creation quotas and dedupe windows never leak between tests. */
async function setup(opts: { createdBy?: string | null; apiKey?: string; creations?: Array<{ max: number; ms: number }>; client?: HttpClient } = {}) {
  const workspaceId = `WSWRITE${++n}`;
  const s = await startMoEngageSim({ seed: 7, now: NOW, credentials: { workspaceId, apiKey: `key-${workspaceId}-secret` }, creations: opts.creations, clock: fast });
  sims.push(s);
  const a = new MoEngageAdapter({
    account: 'default', workspaceId, apiKey: opts.apiKey ?? s.credentials.apiKey, baseUrl: s.url, now: clock,
    ...(opts.createdBy !== null && { createdBy: opts.createdBy ?? 'priya.shah@shop.example' }),
  }, opts.client ?? http);
  return { s, w: a.writer, a };
}
const writes = (s: MoEngageSim) => s.requests.filter((r) => /\/core-services\/v1\/campaigns\/?$|\/alerts\/send|\/campaigns\/status/.test(r.path));
const creates = (s: MoEngageSim) => s.requests.filter((r) => /\/core-services\/v1\/campaigns\/?$/.test(r.path));
const informs = (s: MoEngageSim) => s.requests.filter((r) => r.path.endsWith('/alerts/send'));
const reached = (s: MoEngageSim) => s.writes.reached.get(MOENGAGE_SANDBOX_ALERT.alert_id) ?? new Map<string, number>();
const pushCreate: WriteOp = {
  kind: 'create',
  input: { name: 'Cart reminder', channel: 'push', audience: { event: { name: 'Added To Cart' } }, content: { title: 'Still thinking?', body: 'Your cart is waiting', deep_link: 'shop://cart' }, schedule: '2026-11-21T10:00' },
};
const emails = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `user${from + i}@example.com`);
const sendInput: SendInput = { channel: 'email', id_type: 'email', campaign_id: MOENGAGE_SANDBOX_ALERT.alert_id, content: { subject: 'Your order', body: 'It shipped' } };

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await http.close();
});

describe('moengage writer: create', () => {
  it('prepare writes nothing and shows the plan without credentials; the create executes exactly once', async () => {
    const { s, w, a } = await setup();
    const plan = await w.prepare(pushCreate, clock);
    expect(writes(s)).toHaveLength(0);
    expect(s.requests).toHaveLength(0);
    expect(plan.parts).toHaveLength(1);
    const body = plan.parts[0]!.request.body as Record<string, any>;
    expect(body).toMatchObject({ channel: 'PUSH', created_by: 'priya.shah@shop.example', scheduling_details: { delivery_type: 'AT_FIXED_TIME', start_time: '2026-11-21T10:00:00' } });
    expect(body.request_id).toMatch(/^cm-[0-9a-f]{32}$/);
    expect((await w.prepare(pushCreate, clock)).parts[0]!.request.body).toEqual(body);
    expect(plan.preview).toMatchObject({ vendor: 'moengage', schedule: { utc: '2026-11-21T10:00:00Z', timezone: 'UTC' }, audience: 'users who did "Added To Cart" at least once' });
    expect(plan.preview.notes!.join(' ')).toMatch(/stricter/);
    expect(JSON.stringify(plan)).not.toMatch(new RegExp(`${s.credentials.apiKey}|Basic`));

    const out = await w.execute(plan.parts[0]!);
    expect(out.state).toBe('succeeded');
    expect(out.vendor_ref).toMatch(/^camp_/);
    expect(creates(s)).toHaveLength(1);
    expect(s.writes.created.map((c) => c.campaign_id)).toEqual([out.vendor_ref]);
    const listed = await a.getCampaign(out.vendor_ref!, {});
    expect(listed.campaign).toMatchObject({ name: 'Cart reminder', status: 'scheduled', channel: 'push' });
  });

  it('a create carries its request_id, so a 5xx or a drop after acting is repeated: created once either way', async () => {
    const { s, w } = await setup();
    const plan = await w.prepare(pushCreate, clock);
    expect(plan.parts[0]!.retry_safe).toBe(true);
    s.writes.faults.fail5xx = 1;
    expect(await w.execute(plan.parts[0]!)).toMatchObject({ state: 'succeeded', vendor_ref: expect.stringMatching(/^camp_/) });
    expect([creates(s).length, s.writes.created.length]).toEqual([2, 1]);
    // Acted, then the connection dropped: the repeat is refused as a used request_id (409), which says it exists.
    const other = await w.prepare({ ...pushCreate, input: { ...pushCreate.input, name: 'Second' } } as WriteOp, clock);
    s.writes.faults.dropAfter = 1;
    expect(await w.execute(other.parts[0]!)).toMatchObject({ state: 'succeeded', message: expect.stringMatching(/already used.*the campaign exists/) });
    expect([creates(s).length, s.writes.created.length]).toEqual([4, 2]);
    // 5xx past the retries: unknown, never more than the client's attempts.
    const third = await w.prepare({ ...pushCreate, input: { ...pushCreate.input, name: 'Third' } } as WriteOp, clock);
    s.writes.faults.fail5xx = 10;
    expect(await w.execute(third.parts[0]!)).toMatchObject({ state: 'unknown' });
    s.writes.faults.fail5xx = 0;
    expect(s.writes.created).toHaveLength(2);
  });

  it('paces creations five to 66 s (the documented minute and a 10% margin): the sixth waits, none is refused', async () => {
    // One virtual clock for the client and the simulator: time moves only by the client's waits, so no latency
    // (a loaded machine's) eats the margin the test measures.
    const time = virtualClock();
    const client = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, now: time.now, sleep: time.sleep });
    const workspaceId = `WSPACE${++n}`;
    const s = await startMoEngageSim({ seed: 7, now: NOW, credentials: { workspaceId, apiKey: `key-${workspaceId}-secret` }, clock: time });
    sims.push(s);
    const w = new MoEngageAdapter({ account: 'default', workspaceId, apiKey: s.credentials.apiKey, baseUrl: s.url, now: clock, createdBy: 'priya.shah@shop.example' }, client).writer;
    try {
      for (let i = 0; i < 6; i++) {
        const plan = await w.prepare({ ...pushCreate, input: { ...pushCreate.input, name: `Paced ${i}` } } as WriteOp, clock);
        expect((await w.execute(plan.parts[0]!)).state).toBe('succeeded');
      }
      expect(creates(s).map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
      // The sixth arrives 66 s after the first: past the documented minute by the margin (paced to the minute: 60 s).
      const at = creates(s).map((r) => r.at);
      expect(at[5]! - at[0]!).toBeGreaterThanOrEqual(66_000);
    } finally {
      await client.close();
    }
  });

  it('a 429 with Retry-After is retried (the vendor did not act); a used-up quota is not_acted; 401 is fatal', async () => {
    const { s, w } = await setup({ creations: [{ max: 1, ms: 60_000 }] });
    const plan = await w.prepare(pushCreate, clock);
    s.writes.faults.throttle = 1;
    expect(await w.execute(plan.parts[0]!)).toMatchObject({ state: 'succeeded' });
    expect([creates(s).length, s.writes.created.length]).toEqual([2, 1]);
    const again = await w.prepare({ ...pushCreate, input: { ...pushCreate.input, name: 'Over quota' } } as WriteOp, clock);
    expect(await w.execute(again.parts[0]!)).toMatchObject({ state: 'failed', not_acted: true });
    expect(s.writes.created).toHaveLength(1);
    const bad = await setup({ apiKey: 'wrong-key' });
    expect(await bad.w.execute((await bad.w.prepare(pushCreate, clock)).parts[0]!)).toMatchObject({ state: 'failed', fatal: true });
  });

  it('a slow answer past the client timeout is unknown, and the sim shows it acted', async () => {
    // A client of its own (warmed up first) gives up after 300 ms: real time, like the answer's delay.
    const impatient = new HttpClient({ timeoutMs: 300, clock: fast });
    try {
      const { s, w } = await setup({ client: impatient });
      await impatient.send({ vendor: 'moengage', method: 'GET', url: `${s.url}/warm-up`, kind: 'read' }).catch(() => undefined);
      const plan = await w.prepare(pushCreate, clock);
      s.writes.faults.slowMs = 900;
      expect(await w.execute(plan.parts[0]!)).toMatchObject({ state: 'unknown' });
      expect(s.writes.created).toHaveLength(1);
    } finally {
      await impatient.close();
    }
  });

  it('a retry of the same request_id after a success is recognised, not created twice', async () => {
    const { s, w } = await setup();
    const plan = await w.prepare({ kind: 'create', input: { name: 'Email', channel: 'email', audience: { all_users: true }, content: { subject: 'Hi', body: '<p>Hello</p>' } } }, clock);
    expect(plan.preview.content).toBe('Hi — Hello'); // the excerpt is text, not the email's markup
    // A push goes out as written: its excerpt keeps what looks like markup, and an email subject it does not carry is not shown.
    const push = await w.prepare({ kind: 'create', input: { ...pushCreate.input, content: { title: 'Deal', subject: 'unused', body: 'Only <5 left: A<B, 3>2 {%raw%}X{%endraw%} & more' } } } as WriteOp, clock);
    expect(push.preview.content).toBe('Deal — Only <5 left: A<B, 3>2 {%raw%}X{%endraw%} & more');
    expect(await w.execute(plan.parts[0]!)).toMatchObject({ state: 'succeeded' });
    expect(await w.execute(plan.parts[0]!)).toMatchObject({ state: 'succeeded', message: expect.stringMatching(/already used/) });
    expect(s.writes.created).toHaveLength(1);
  });
});

describe('moengage writer: content it does not send', () => {
  it('names it in the preview: an image on push, title or link on email, link, image and sender on an Inform send', async () => {
    const { w } = await setup();
    const content = { title: 'T', subject: 'S', body: 'B', deep_link: 'shop://x', image_url: 'https://cdn.example/i.png', sender_name: 'Shop' };
    const push = await w.prepare({ ...pushCreate, input: { ...pushCreate.input, content } } as WriteOp, clock);
    expect(push.preview.notes).toContain('Not used for push: subject, image_url, sender_name.');
    const email = await w.prepare({ ...pushCreate, input: { ...pushCreate.input, channel: 'email', content } } as WriteOp, clock);
    expect(email.preview.notes).toContain('Not used for email: title, deep_link, image_url.');
    const inform = await w.prepare({ kind: 'send', input: { ...sendInput, content }, recipients: { count: 1, duplicates_removed: 0 } }, clock);
    expect(inform.preview.notes).toContain('Not used for email: deep_link, image_url, sender_name.');
    expect(inform.preview.notes!.join(' ')).toMatch(/No sender_attributes are sent/);
  });
});

describe('moengage writer: Inform send', () => {
  it('250 users go as parts of 100 + 100 + 50 requests, each recipient exactly once; a resend is a counted duplicate', async () => {
    const { s, w } = await setup();
    const plan = await w.prepare({ kind: 'send', input: sendInput, recipients: { count: 250, duplicates_removed: 3 } }, clock);
    expect(plan.parts).toEqual([]);
    expect(plan.preview.counts).toEqual({ recipients: 250, duplicates_removed: 3, batches: 3, batch_size: 100 });
    expect(s.requests).toHaveLength(0);
    const ids = emails(250);
    const parts = [0, 1, 2].map((i) => w.sendPart(sendInput, ids.slice(i * 100, (i + 1) * 100), i, `send-key-${i}`));
    expect(parts.map((p) => 1 + (p.more?.length ?? 0))).toEqual([100, 100, 50]);
    expect(w.sendPart(sendInput, ids.slice(0, 100), 0, 'send-key-0')).toEqual(parts[0]);
    const body = parts[0]!.request.body as Record<string, any>;
    expect(body.transaction_id.length).toBeLessThanOrEqual(50);
    expect(body).toMatchObject({ alert_id: MOENGAGE_SANDBOX_ALERT.alert_id, payloads: { EMAIL: { recipient: 'user0@example.com' } } });
    for (const p of parts) expect(await w.execute(p)).toMatchObject({ state: 'succeeded', accepted: p.recipients });
    expect(informs(s)).toHaveLength(250);
    expect(reached(s).size).toBe(250);
    expect([...reached(s).values()].every((v) => v === 1)).toBe(true);

    expect(await w.execute(parts[2]!)).toMatchObject({ state: 'succeeded', accepted: 50 });
    expect(informs(s).filter((r) => r.status === 409)).toHaveLength(50);
    expect([...reached(s).values()].every((v) => v === 1)).toBe(true);
  });

  it('a 5xx is retried with the same transaction_id (documented); a drop after acting resolves as a duplicate; persistent 5xx is unknown', async () => {
    const { s, w } = await setup();
    const one = (id: string, key: string) => w.sendPart(sendInput, [id], 0, key);
    s.writes.faults.fail5xx = 1;
    expect(await w.execute(one('a@example.com', 'k1'))).toMatchObject({ state: 'succeeded', accepted: 1 });
    s.writes.faults.dropAfter = 1;
    expect(await w.execute(one('b@example.com', 'k2'))).toMatchObject({ state: 'succeeded', accepted: 1 });
    expect(informs(s).map((r) => r.status)).toEqual([500, 200, 0, 409]);
    s.writes.faults.fail5xx = 10;
    expect(await w.execute(one('c@example.com', 'k3'))).toMatchObject({ state: 'unknown', accepted: 0 });
    s.writes.faults.fail5xx = 0;
    expect(Object.fromEntries(reached(s))).toEqual({ 'a@example.com': 1, 'b@example.com': 1 });
  });

  it('paces Inform under its documented 10,000 a minute with a margin: each request is spaced at least 10% more than 6 ms', async () => {
    const paced = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, clock: fast });
    const seen: Array<HttpRequest['pace']> = [];
    const send = paced.send.bind(paced);
    paced.send = (req) => (seen.push(req.pace), send(req));
    try {
      const { s, w } = await setup({ client: paced });
      expect(await w.execute(w.sendPart(sendInput, emails(10), 0, 'paced'))).toMatchObject({ state: 'succeeded', accepted: 10 });
      expect(seen).toHaveLength(10);
      for (const pace of seen) {
        expect(pace).toMatchObject({ key: `moengage:${s.credentials.workspaceId}:inform` });
        expect(pace!.intervalMs).toBeGreaterThanOrEqual((60_000 / 10_000) * 1.1);
      }
    } finally {
      await paced.close();
    }
  });

  it('401 and an unknown alert are fatal and stop the part; a 429 is retried', async () => {
    const bad = await setup({ apiKey: 'wrong-key' });
    const part = bad.w.sendPart(sendInput, emails(20), 0, 'k');
    expect(await bad.w.execute(part)).toMatchObject({ state: 'failed', fatal: true, accepted: 0 });
    expect(informs(bad.s).length).toBeLessThanOrEqual(8);
    const { s, w } = await setup();
    expect(await w.execute(w.sendPart({ ...sendInput, campaign_id: 'no-such-alert' }, emails(20), 0, 'k'))).toMatchObject({ state: 'failed', fatal: true });
    s.writes.faults.throttle = 1;
    expect(await w.execute(w.sendPart(sendInput, ['t@example.com'], 0, 'k9'))).toMatchObject({ state: 'succeeded', accepted: 1 });
  });
});

describe('moengage writer: bad input reaches no vendor', () => {
  it.each<[string, WriteOp, RegExp]>([
    ['missing campaign_id', { kind: 'send', input: { ...sendInput, campaign_id: undefined }, recipients: { count: 1, duplicates_removed: 0 } }, /Inform alert: pass campaign_id/],
    ['identity id_type', { kind: 'send', input: { ...sendInput, id_type: 'identity' }, recipients: { count: 1, duplicates_removed: 0 } }, /use id_type email/],
    ['push send', { kind: 'send', input: { ...sendInput, channel: 'push' }, recipients: { count: 1, duplicates_removed: 0 } }, /push token/],
    ['empty recipients', { kind: 'send', input: sendInput, recipients: { count: 0, duplicates_removed: 0 } }, /empty/],
    ['email without subject', { kind: 'create', input: { name: 'x', channel: 'email', audience: { all_users: true }, content: { body: 'b' } } }, /content\.subject/],
    ['sms create', { kind: 'create', input: { name: 'x', channel: 'sms', audience: { all_users: true }, content: { body: 'b' } } }, /push and email campaigns only/],
    ['schedule in the past', { ...pushCreate, input: { ...pushCreate.input, schedule: '2026-11-19T10:00' } } as WriteOp, /in the past/],
    ['event dates', { ...pushCreate, input: { ...pushCreate.input, audience: { event: { name: 'x', from: '2026-11-01' } } } } as WriteOp, /date window/],
  ])('%s', async (_name, op, message) => {
    const { s, w } = await setup();
    await expect(w.prepare(op, clock)).rejects.toThrow(message);
    expect(s.requests).toHaveLength(0);
  });

  it('a missing MOENGAGE_CREATED_BY is an error naming the variable', async () => {
    const { s, w } = await setup({ createdBy: null });
    const err = await w.prepare(pushCreate, clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/MOENGAGE_CREATED_BY/);
    expect(s.requests).toHaveLength(0);
  });
});

describe('moengage writer: status', () => {
  it('stops a scheduled one-time campaign once, visible in reads; refuses what MoEngage does not allow, writing nothing', async () => {
    const { s, w, a } = await setup();
    const target = s.campaigns.find((c) => c.status === 'Scheduled' && c.campaign_delivery_type === 'ONE_TIME')!;
    const plan = await w.prepare({ kind: 'status', input: { id: target.campaign_id, action: 'stop' } }, clock);
    expect(writes(s)).toHaveLength(0);
    expect(plan.parts[0]!.request.body).toMatchObject({ action: 'STOP', campaign_ids: [target.campaign_id] });
    expect(await w.execute(plan.parts[0]!)).toEqual({ state: 'succeeded' });
    expect((await a.getCampaign(target.campaign_id, {})).campaign.status).toBe('stopped');
    const active = s.campaigns.find((c) => c.status === 'Active' && c.campaign_delivery_type === 'ONE_TIME') ?? s.campaigns.find((c) => c.status === 'Sent')!;
    await expect(w.prepare({ kind: 'status', input: { id: active.campaign_id, action: 'stop' } }, clock)).rejects.toThrow(/stops only a scheduled one-time/);
    const paused = s.campaigns.find((c) => c.status === 'Paused')!;
    await expect(w.prepare({ kind: 'status', input: { id: paused.campaign_id, action: 'pause' } }, clock)).rejects.toThrow(InputError);
    expect(writes(s)).toHaveLength(1);
  });

  it('pauses a running device- or location-triggered push campaign (notes §2(g)), not such an email campaign', async () => {
    const { s, w } = await setup();
    const running = s.campaigns.filter((c) => c.status === 'Active' && c.campaign_delivery_type !== 'ONE_TIME');
    const push = running.find((c) => c.channel === 'PUSH')!;
    const email = running.find((c) => c.channel === 'EMAIL')!;
    for (const type of ['DEVICE_TRIGGERED', 'LOCATION_TRIGGERED']) {
      (push as { campaign_delivery_type: string }).campaign_delivery_type = type;
      (email as { campaign_delivery_type: string }).campaign_delivery_type = type;
      const plan = await w.prepare({ kind: 'status', input: { id: push.campaign_id, action: 'pause' } }, clock);
      expect(plan.parts[0]!.request.body).toMatchObject({ action: 'PAUSE', campaign_ids: [push.campaign_id] });
      await expect(w.prepare({ kind: 'status', input: { id: email.campaign_id, action: 'pause' } }, clock)).rejects.toThrow(/pauses only a running periodic or event-triggered campaign/);
    }
    expect(writes(s)).toHaveLength(0);
  });
});



describe('MOENGAGE_CREATED_BY configuration', () => {
  it('is read from the environment and does not enable MoEngage on its own', async () => {
    const { loadConfig } = await import('../src/config.js');
    const flags = { sandbox: false, readOnly: false, http: false };
    const env = { MOENGAGE_WORKSPACE_ID: 'WS1', MOENGAGE_API_KEY: 'k-123456', MOENGAGE_CREATED_BY: 'ops@shop.example' };
    expect(loadConfig(flags, env).accounts[0]).toMatchObject({ vendor: 'moengage', createdBy: 'ops@shop.example' });
    expect(loadConfig(flags, { MOENGAGE_CREATED_BY: 'ops@shop.example' }).accounts).toEqual([]);
    expect(() => loadConfig(flags, { ...env, MOENGAGE_CREATED_BY: 'not-an-email' })).toThrow(/MOENGAGE_CREATED_BY/);
  });
});

describe('moengage simulator strictness (from the documents, whatever our writer sends)', () => {
  it('Inform takes one user a request and a transaction_id of at most 50 characters; create needs a request_id', async () => {
    const { s } = await setup();
    const headers = { authorization: `Basic ${Buffer.from(`${s.credentials.workspaceId}:${s.credentials.apiKey}`).toString('base64')}`, 'MOE-APPKEY': s.credentials.workspaceId, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${s.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const alert = MOENGAGE_SANDBOX_ALERT.alert_id;
    expect(await post('/v1.0/alerts/send', { alert_id: alert, transaction_id: 't1', payloads: { EMAIL: { recipient: 'a@x.com,b@x.com' } } })).toMatchObject({ status: 400 });
    expect(await post('/v1.0/alerts/send', { alert_id: alert, transaction_id: 'x'.repeat(51), payloads: { EMAIL: { recipient: 'a@x.com' } } })).toMatchObject({ status: 400 });
    expect(await post('/v1.0/alerts/send', { alert_id: 'nope', transaction_id: 't2', payloads: { EMAIL: { recipient: 'a@x.com' } } })).toMatchObject({ status: 400, body: { status_code: 120002 } });
    expect(await post('/core-services/v1/campaigns', { channel: 'PUSH' })).toMatchObject({ status: 400, body: { error: { target: 'request_id' } } });
    expect(reached(s).size).toBe(0);
  });
});
