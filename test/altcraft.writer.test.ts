import { afterAll, describe, expect, it } from 'vitest';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startAltcraftSim, type AltcraftSim } from '../src/sandbox/altcraft.js';
import { serveSim } from '../src/sandbox/sim.js';
import { ALTCRAFT_SANDBOX_TRIGGER_ID } from '../src/sandbox/altcraft-writes.js';
import { AltcraftAdapter } from '../src/vendors/altcraft.js';
import type { SendInput, WriteOp } from '../src/vendors/vendor.js';
import type { WriteRecord } from '../src/journal.js';
import { buildResult } from '../src/write-result.js';

/** Pacing, rate limits and Retry-After run 20x faster on one clock shared by the client and the simulators. */
const fast = fastClock(20);

const NOW = new Date('2026-11-22T12:00:00Z');
const clock = () => NOW;
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 2_000, clock: fast });
const sims: AltcraftSim[] = [];

async function setup(token?: string) {
  const s = await startAltcraftSim({ now: NOW, rateLimitPerSec: 1000, clock: fast });
  sims.push(s);
  const a = new AltcraftAdapter({ account: 'default', token: token ?? s.credentials.token, baseUrl: s.url, timezone: 'Europe/Moscow', now: clock }, http);
  return { s, a, w: a.writer };
}
const WRITE = /broadcasts\/add|triggers\/start_batch|campaigns\/(de)?activate|scampaigns\/(deactivate|completed)/;
const writes = (s: AltcraftSim) => s.requests.filter((r) => WRITE.test(r.path));
const batches = (s: AltcraftSim) => s.requests.filter((r) => r.path.endsWith('/triggers/start_batch'));
const reached = (s: AltcraftSim) => s.writes.reached.get(ALTCRAFT_SANDBOX_TRIGGER_ID) ?? new Map<string, number>();
const emails = (count: number) => Array.from({ length: count }, (_, i) => `p${i}@example.com`);
const send: SendInput = { channel: 'email', id_type: 'email', campaign_id: `mailing-${ALTCRAFT_SANDBOX_TRIGGER_ID}`, content: { subject: 'Your order', body: '<p>Confirmed</p>' } };
const sendOp = (input: SendInput, count = 1): WriteOp => ({ kind: 'send', input, recipients: { count, duplicates_removed: 0 } });

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await http.close();
});

describe('altcraft writer: create', () => {
  it('prepare only reads (the segment estimate), builds broadcasts/add without the token; the create executes exactly once', async () => {
    const { s, a, w } = await setup();
    const seg = s.segments[0]!;
    const op: WriteOp = { kind: 'create', input: { name: 'Winter sale', channel: 'email', audience: { segment_id: `segment:${seg.id}` }, content: { subject: 'Sale', body: '<p>-30%</p>' }, schedule: '2026-11-23T10:00' } };
    const plan = await w.prepare(op, clock);
    expect(writes(s)).toHaveLength(0);
    expect(s.requests.map((r) => r.path)).toEqual(['/api/v1.1/segments/get_counters']);
    expect(plan.preview.content).toBe('Sale — -30%'); // the excerpt is text, not the email's markup
    expect(plan.preview.estimated_reach).toBe(seg.counters.find((c) => c.channel === 'email')!.status.subscribed_sendable);
    expect(plan.preview.schedule).toEqual({ local: '2026-11-23 10:00', utc: '2026-11-23T07:00:00Z', timezone: 'Europe/Moscow' });
    expect(plan.parts[0]!.request.body).toMatchObject({ data_type: 'segment', data_id: seg.id, send_channel: 'email', is_active: true, start_schedule: { type: 'once', start_time: '2026-11-23 10:00:00' } });
    expect(JSON.stringify(plan)).not.toContain(s.credentials.token);
    const out = await w.execute(plan.parts[0]!);
    expect(out.state).toBe('succeeded');
    expect(writes(s)).toHaveLength(1);
    expect(s.writes.created.map((m) => `mailing-${m.id}`)).toEqual([out.vendor_ref]);
    expect((await a.getCampaign(out.vendor_ref!, {})).campaign).toMatchObject({ name: 'Winter sale', channel: 'email' });

    const list = await w.prepare({ kind: 'create', input: { ...op.input, audience: { segment_id: 'list:1' } } } as WriteOp, clock);
    expect(list.parts[0]!.request.body).toMatchObject({ data_type: 'list', data_id: 1 });
    expect(list.preview.estimated_reach).toBeUndefined();
  });

  it('names the content it does not send (an image, a sender on push; all but the body on sms) in the preview', async () => {
    const { w } = await setup();
    const content = { title: 'Sale', subject: 'Sale', body: 'Hi', deep_link: 'app://sale', image_url: 'https://cdn.example/s.png', sender_name: 'Shop' };
    const push = await w.prepare({ kind: 'create', input: { name: 'P', channel: 'push', audience: { segment_id: 'list:1' }, content } } as WriteOp, clock);
    expect(push.preview.notes).toContain('Not used for push: subject, image_url, sender_name.');
    expect(push.parts[0]!.request.body).toMatchObject({ content: [{ channel: 'push', title: 'Sale', text: 'Hi', url: 'app://sale' }] });
    const sms = await w.prepare({ kind: 'create', input: { name: 'S', channel: 'sms', audience: { segment_id: 'list:1' }, content } } as WriteOp, clock);
    expect(sms.preview.notes).toContain('Not used for sms: title, subject, deep_link, image_url, sender_name.');
  });
});

describe('altcraft writer: send through the API-triggered mailing', () => {
  it('12,000 emails go as 10,000 + 2,000, each profile exactly once', async () => {
    const { s, w } = await setup();
    const plan = await w.prepare(sendOp(send, 12_000), clock);
    expect(plan.parts).toEqual([]);
    expect(plan.preview.counts).toEqual({ recipients: 12_000, duplicates_removed: 0, batches: 2, batch_size: 10_000 });
    expect(writes(s)).toHaveLength(0);
    const ids = emails(12_000);
    const size = w.capabilities.send.batch_size;
    const parts = [0, 1].map((i) => w.sendPart(send, ids.slice(i * size, (i + 1) * size), i, `k${i}`));
    for (const p of parts) expect(await w.execute(p)).toMatchObject({ state: 'succeeded', accepted: p.recipients });
    expect(batches(s).map((r) => (r.body as { data: unknown[] }).data.length)).toEqual([10_000, 2_000]);
    expect(reached(s).size).toBe(12_000);
    expect([...reached(s).values()].every((v) => v === 1)).toBe(true);
  });

  it('5xx is unknown and nothing reached; a drop after acting is unknown and the sim reached them; 429 is retried; 401 is fatal', async () => {
    const { s, w } = await setup();
    const part = (from: number) => w.sendPart(send, emails(from + 5).slice(from), 0, 'k');
    s.writes.faults.fail5xx = 1;
    expect(await w.execute(part(0))).toMatchObject({ state: 'unknown' });
    expect(reached(s).size).toBe(0);
    s.writes.faults.dropAfter = 1;
    expect(await w.execute(part(10))).toMatchObject({ state: 'unknown' });
    expect(reached(s).size).toBe(5);
    s.writes.faults.throttle = 1;
    expect(await w.execute(part(20))).toMatchObject({ state: 'succeeded', accepted: 5 });
    expect(batches(s).map((r) => r.status)).toEqual([500, 0, 429, 200]);
    expect(reached(s).size).toBe(10);
    s.writes.faults.dropBefore = 1;
    expect(await w.execute(part(30))).toMatchObject({ state: 'unknown' });
    expect(reached(s).size).toBe(10);
    const bad = await setup('wrong-altcraft-token-0000');
    // Refused whole: stops the send, and the same token sends it again once fixed.
    expect(await bad.w.execute(part(0))).toMatchObject({ state: 'failed', fatal: true, not_acted: true });
    expect(bad.s.writes.reached.size).toBe(0);
  });

  it('a tariff limit (402) or an undocumented envelope code stops the send but is not resent: it may come part-way', async () => {
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    const literal = await serveSim(() => answer);
    try {
      const w = new AltcraftAdapter({ account: 'default', token: 'literal-token-000000', baseUrl: literal.url, now: clock }, http).writer;
      const part = w.sendPart(send, emails(3), 0, 'k');
      for (const [error, acted] of [[400, false], [402, true], [1, true]] as const) {
        answer = { status: 200, body: { error, error_text: `error ${error}` } };
        const out = await w.execute(part);
        expect(out, String(error)).toMatchObject({ state: 'failed', fatal: true });
        expect(out.not_acted, String(error)).toBe(acted ? undefined : true);
      }
    } finally {
      await literal.close();
    }
  });

  it('start_batch listing fewer profiles than ids sent: the batch counts only those as accepted, the rest failed', async () => {
    // The answer lists the profile ids reached (notes §4 (f) `result:[profile_ids]`); ids matching no profile were not sent.
    const literal = await serveSim(() => ({ status: 200, body: { error: 0, error_text: 'Successful operation', result: ['pid-1', 'pid-2', 'pid-3'] } }));
    try {
      const w = new AltcraftAdapter({ account: 'default', token: 'literal-token-000000', baseUrl: literal.url, now: clock }, http).writer;
      const out = await w.execute(w.sendPart(send, emails(5), 0, 'k'));
      expect(out).toMatchObject({ state: 'succeeded', accepted: 3, message: '3 of 5 ids matched a profile and were sent' });
      const rec: WriteRecord = { id: 'w', tool: 'send_to_users', vendor: 'altcraft', account: 'default', args_hash: 'h', summary: 's', created_at: '', expires_at: '', parts: [out] };
      const r = buildResult(rec, { recipients: 5, batchSize: 10_000, replayed: false, resumed: false });
      expect(r.counts).toEqual({ recipients: 5, succeeded: 3, failed: 2, unknown: 0, pending: 0 });
      expect(r.status).toBe('partial');
    } finally {
      await literal.close();
    }
  });

  it('an error envelope with a 5xx code on HTTP 200 is unknown, not failed', async () => {
    const { s, w } = await setup();
    const container = s.campaigns.find((c) => c.state === 'active')!;
    const plan = await w.prepare({ kind: 'status', input: { id: `campaign-${container.id}`, action: 'pause' } }, clock);
    s.writes.faults.fail5xx = 1;
    expect(await w.execute(plan.parts[0]!)).toMatchObject({ state: 'unknown' });
    expect(writes(s).map((r) => r.status)).toEqual([200]);
  });
});

describe('altcraft writer: bad input reaches no vendor', () => {
  const seg = { segment_id: 'segment:1' };
  it.each<[string, WriteOp, RegExp]>([
    ['identity id_type', sendOp({ ...send, id_type: 'identity' }), /matches recipients by email, phone, profile_id/],
    ['missing campaign_id', sendOp({ ...send, campaign_id: undefined }), /API-triggered mailing: pass campaign_id/],
    ['a container as campaign_id', sendOp({ ...send, campaign_id: 'campaign-3' }), /container, which cannot send/],
    ['email without subject', sendOp({ ...send, content: { body: 'x' } }), /content\.subject/],
    ['event audience', { kind: 'create', input: { name: 'x', channel: 'email', audience: { event: { name: 'Added To Cart' } }, content: { subject: 's', body: 'b' } } }, /an event audience cannot be sent: build it as a segment/],
    ['all users', { kind: 'create', input: { name: 'x', channel: 'sms', audience: { all_users: true }, content: { body: 'b' } } }, /all_users cannot be sent/],
    ['odd segment id', { kind: 'create', input: { name: 'x', channel: 'sms', audience: { segment_id: 'vip' }, content: { body: 'b' } } }, /got "vip"/],
    ['schedule in the past', { kind: 'create', input: { name: 'x', channel: 'sms', audience: seg, content: { body: 'b' }, schedule: '2026-11-01T10:00' } }, /in the past/],
    ['resume a container', { kind: 'status', input: { id: 'campaign-3', action: 'resume' } }, /no API to reactivate/],
    ['a bare number for status', { kind: 'status', input: { id: '42', action: 'pause' } }, /"campaign-<id>"/],
  ])('%s', async (_name, op, message) => {
    const { s, w } = await setup();
    await expect(w.prepare(op, clock)).rejects.toThrow(message);
    expect(s.requests).toHaveLength(0);
  });

  it.each([[5002, /not active/], [5003, /not by an API call/]])('trigger mailing %i is refused at preview, reading only', async (id, message) => {
    const { s, w } = await setup();
    await expect(w.prepare(sendOp({ ...send, campaign_id: String(id) }), clock)).rejects.toThrow(message);
    const broadcast = s.mailings.find((m) => m.type === 'broadcast')!;
    await expect(w.prepare(sendOp({ ...send, campaign_id: `mailing-${broadcast.id}` }), clock)).rejects.toThrow(/broadcast mailing/);
    expect(writes(s)).toHaveLength(0);
  });
});

describe('altcraft writer: status', () => {
  it('pauses and resumes a mailing, pauses and completes a container, each visible in reads', async () => {
    const { s, a, w } = await setup();
    const run = async (id: string, action: 'stop' | 'pause' | 'resume') => w.execute((await w.prepare({ kind: 'status', input: { id, action } }, clock)).parts[0]!);
    const id = `mailing-${ALTCRAFT_SANDBOX_TRIGGER_ID}`;
    // The preview says so before it is confirmed: the person is not surprised by a paused mailing listed as draft.
    expect((await w.prepare({ kind: 'status', input: { id, action: 'pause' } }, clock)).preview.notes?.join(' ')).toMatch(/lists as draft \(Inactive\) until resumed/);
    expect(await run(id, 'pause')).toMatchObject({ state: 'succeeded' });
    // Reads cannot tell a deactivated mailing from one never activated (nothing documented says it ran): draft, its own word kept.
    expect((await a.getCampaign(id, {})).campaign).toMatchObject({ status: 'draft', vendor_status: expect.stringMatching(/inactive/i) });
    await expect(w.prepare({ kind: 'status', input: { id, action: 'pause' } }, clock)).rejects.toThrow(/cannot pause/);
    expect(await run(id, 'resume')).toMatchObject({ state: 'succeeded' });
    expect((await a.getCampaign(id, {})).campaign.status).toBe('running');
    const c = s.campaigns.find((x) => x.state === 'active')!;
    expect(await run(`campaign-${c.id}`, 'pause')).toMatchObject({ state: 'succeeded' });
    expect((await a.getCampaign(`campaign-${c.id}`, {})).campaign.status).toBe('paused');
    expect(await run(`campaign-${c.id}`, 'stop')).toMatchObject({ state: 'succeeded' });
    expect((await a.getCampaign(`campaign-${c.id}`, {})).campaign.status).toBe('completed');
    expect(writes(s).map((r) => r.path.split('/v1.1/')[1])).toEqual(['campaigns/deactivate', 'campaigns/activate', 'scampaigns/deactivate', 'scampaigns/completed']);
  });
});

describe('altcraft simulator strictness (from the documents, whatever our writer sends)', () => {
  it('refuses more than 10,000 profiles a request, an inactive or non-API trigger, and a missing token', async () => {
    const { s } = await setup();
    const post = async (body: unknown, token = s.credentials.token) => {
      const r = await fetch(`${s.url}/api/v1.1/campaigns/triggers/start_batch`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as { error: number; error_text: string } };
    };
    const data = (n: number) => emails(n).map((email) => ({ email }));
    expect((await post({ trigger_id: ALTCRAFT_SANDBOX_TRIGGER_ID, matching: 'email', data: data(10_001) })).body.error_text).toMatch(/at most 10000/);
    expect((await post({ trigger_id: 5002, matching: 'email', data: data(1) })).body.error_text).toMatch(/not active/);
    expect((await post({ trigger_id: 5003, matching: 'email', data: data(1) })).body.error_text).toMatch(/API call/);
    expect((await post({ trigger_id: ALTCRAFT_SANDBOX_TRIGGER_ID, matching: 'custom', data: data(1) })).status).toBe(400);
    expect((await post({ trigger_id: ALTCRAFT_SANDBOX_TRIGGER_ID, matching: 'email', data: data(1) }, 'nope-nope')).status).toBe(401);
    expect(s.writes.reached.size).toBe(0);
  });
});
