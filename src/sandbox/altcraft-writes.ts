import { createHash } from 'node:crypto';
import type { AltcraftTruth, SimMailing } from './altcraft-data.js';
import type { SimReply } from './sim.js';
import { noWriteFaults, withWriteFaults, type WriteFaults } from './write-windows.js';

/** A trigger mailing with the event that launches it ([U] field: "When using a special API call" in the UI guide). */
export type SimTriggerMailing = SimMailing & { trigger_type?: 'api' | 'event' };

/** Trigger mailings the sandbox seeds: one API-triggered and active (sends work), one inactive, one on another event. */
export const ALTCRAFT_SANDBOX_TRIGGER_ID = 5001;
const INACTIVE_TRIGGER_ID = 5002;
const EVENT_TRIGGER_ID = 5003;
/** start_batch takes at most 10,000 profiles a request (notes §4 Common: batch endpoints ≤10,000). */
export const ALTCRAFT_SIM_BATCH_MAX = 10_000;
const MATCHING = ['email', 'phone', 'profile_id'];
const CHANNELS = ['email', 'sms', 'push'];

type Body = Record<string, unknown>;
type Route = (method: string, b: Body) => SimReply | Promise<SimReply>;
/** The simulator's own envelope builders, shared so write answers look like its reads. */
export interface AltcraftEnvelopes {
  ok(data: unknown, extra?: Body): SimReply;
  fail(method: string, code: number, text: string): SimReply;
}

/** What the write methods accepted, and their knobs. */
export interface AltcraftWrites {
  /** Profiles reached through start_batch: trigger id -> "matching:value" -> times. */
  reached: Map<number, Map<string, number>>;
  /** Broadcasts created through broadcasts/add (also in the mailing listing). */
  created: SimMailing[];
  faults: WriteFaults;
  routes: Record<string, Route>;
}

const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** The write side of the Altcraft simulator, from the developer guide pages cited in notes §4 (e)(f)(g). */
export function altcraftWrites(truth: AltcraftTruth, env: AltcraftEnvelopes, now: Date): AltcraftWrites {
  const { ok, fail } = env;
  const stamp = now.toISOString();
  const seed = (id: number, name: string, is_active: boolean, trigger_type: 'api' | 'event'): SimTriggerMailing => ({
    id, name, type: 'trigger', send_channel: 'email', is_active, is_completed: false, status: is_active ? 'Active' : 'Inactive',
    create_time: stamp, update_time: stamp, updated_user: 'olga', ui_tags: ['transactional'], data_type: 'list', data_id: 1, resource_id: 1,
    content: [{ channel: 'email', subject: 'Your order {order_id}', html: '<p>Hello {first_name}, your order is confirmed.</p>' }], trigger_type,
  });
  truth.mailings.push(
    seed(ALTCRAFT_SANDBOX_TRIGGER_ID, 'Order confirmation (API trigger)', true, 'api'),
    seed(INACTIVE_TRIGGER_ID, 'Password reset (API trigger, off)', false, 'api'),
    seed(EVENT_TRIGGER_ID, 'Welcome on subscribe', true, 'event'),
  );
  const w: AltcraftWrites = { reached: new Map(), created: [], faults: noWriteFaults(), routes: {} };
  const faulty = (act: Route): Route => (m, b) =>
    withWriteFaults(w.faults, () => act(m, b) as SimReply, {
      throttled: () => ({ status: 429, body: { error: 429, error_text: 'Too many requests', data: null } }),
      failed: () => fail(m, 500, 'Internal server error'),
    });
  const mailing = (m: string, b: Body, key = 'id'): SimMailing | SimReply => {
    if (!isInt(b[key])) return fail(m, 400, `${key} is required and must be an integer`);
    return truth.mailings.find((x) => x.id === b[key]) ?? fail(m, 404, 'Campaign not found');
  };
  const isReply = (v: unknown): v is SimReply => typeof (v as SimReply).status === 'number' && !('id' in (v as object));

  w.routes['campaigns/broadcasts/add'] = faulty((m, b) => {
    if (typeof b.name !== 'string' || !b.name.trim()) return fail(m, 400, 'name is required');
    if (b.is_active !== undefined && typeof b.is_active !== 'boolean') return fail(m, 400, 'is_active must be a boolean');
    if (b.data_type !== 'list' && b.data_type !== 'segment') return fail(m, 400, 'data_type must be "list" or "segment"');
    if (!isInt(b.data_id)) return fail(m, 400, 'data_id is required and must be an integer');
    const known = b.data_type === 'segment' ? truth.segments.some((s) => s.id === b.data_id) : truth.segments.some((s) => s.list_id === b.data_id);
    if (!known) return fail(m, 404, `${b.data_type === 'segment' ? 'Segment' : 'Database'} ${b.data_id} not found`);
    if (b.resource_id !== undefined && !isInt(b.resource_id)) return fail(m, 400, 'resource_id must be an integer');
    if (!CHANNELS.includes(b.send_channel as string)) return fail(m, 400, `send_channel must be one of: ${CHANNELS.join(', ')}`);
    if (!Array.isArray(b.content) || !b.content.length || !b.content.every((c) => c && typeof c === 'object' && (c as Body).channel === b.send_channel)) {
      return fail(m, 400, 'content must list the content object of send_channel');
    }
    const sched = b.start_schedule as Body | undefined;
    if (sched !== undefined && (typeof sched !== 'object' || typeof sched.start_time !== 'string')) return fail(m, 400, 'start_schedule needs a start_time');
    const id = Math.max(...truth.mailings.map((x) => x.id)) + 1;
    const created: SimMailing = {
      id, name: b.name, type: 'broadcast', send_channel: b.send_channel as SimMailing['send_channel'], is_active: b.is_active === true, is_completed: false,
      status: b.is_active === true ? 'Active' : 'Inactive', create_time: new Date().toISOString(), update_time: new Date().toISOString(), updated_user: 'api',
      ui_tags: [], data_type: b.data_type, data_id: b.data_id, resource_id: (b.resource_id as number | undefined) ?? 1,
      ...(sched && { start_schedule: { type: 'once', start_time: sched.start_time as string } }), content: b.content as SimMailing['content'],
    };
    truth.mailings.push(created);
    w.created.push(created);
    return ok({ id });
  });

  w.routes['campaigns/triggers/start_batch'] = faulty((m, b) => {
    const t = mailing(m, b, 'trigger_id');
    if (isReply(t)) return t;
    const trig = t as SimTriggerMailing;
    if (trig.type !== 'trigger') return fail(m, 400, `Mailing ${trig.id} is not a trigger mailing`);
    if (trig.trigger_type !== 'api') return fail(m, 400, `Mailing ${trig.id} is not launched by an API call`);
    if (!trig.is_active) return fail(m, 400, `Trigger mailing ${trig.id} is not active`);
    if (!MATCHING.includes(b.matching as string)) return fail(m, 400, `matching must be one of: ${MATCHING.join(', ')}`);
    if (!Array.isArray(b.data) || b.data.length === 0) return fail(m, 400, 'data must be a non-empty array');
    if (b.data.length > ALTCRAFT_SIM_BATCH_MAX) return fail(m, 400, `data takes at most ${ALTCRAFT_SIM_BATCH_MAX} profiles a request`);
    const field = b.matching as string;
    const values = b.data.map((d) => (d && typeof d === 'object' ? (d as Body)[field] : undefined));
    if (values.some((v) => typeof v !== 'string' || !v.trim())) return fail(m, 400, `every data item needs "${field}"`);
    if (b.content !== undefined && (typeof b.content !== 'object' || b.content === null)) return fail(m, 400, 'content must be an object');
    const byProfile = w.reached.get(trig.id) ?? new Map<string, number>();
    w.reached.set(trig.id, byProfile);
    const result = (values as string[]).map((v) => {
      const k = `${field}:${v}`;
      byProfile.set(k, (byProfile.get(k) ?? 0) + 1);
      return field === 'profile_id' ? v : createHash('sha256').update(k).digest('hex').slice(0, 24);
    });
    return { status: 200, body: { error: 0, error_text: 'Successful operation', result } };
  });

  const toggle = (active: boolean): Route => faulty((m, b) => {
    const x = mailing(m, b);
    if (isReply(x)) return x;
    const ml = x as SimMailing;
    if (b.abort_if_running !== undefined && typeof b.abort_if_running !== 'boolean') return fail(m, 400, 'abort_if_running must be a boolean');
    if (ml.is_completed && active) return fail(m, 400, `Mailing ${ml.id} is completed`);
    Object.assign(ml, { is_active: active, status: active ? 'Active' : 'Inactive', update_time: new Date().toISOString() });
    return ok(null);
  });
  w.routes['campaigns/activate'] = toggle(true);
  w.routes['campaigns/deactivate'] = toggle(false);

  const container = (state: 'inactive' | 'completed'): Route => faulty((m, b) => {
    if (!isInt(b.id)) return fail(m, 400, 'id is required and must be an integer');
    const c = truth.scampaigns.find((x) => x.id === b.id);
    if (!c) return fail(m, 404, 'Campaign not found');
    if (c.state === 'completed' || c.state === 'deleted') return fail(m, 400, `Campaign ${c.id} is ${c.state}`);
    c.state = state;
    c.active_period.history.start ??= new Date().toISOString();
    if (state === 'inactive') c.active_period.history.stop = new Date().toISOString();
    return ok(null);
  });
  w.routes['scampaigns/deactivate'] = container('inactive');
  w.routes['scampaigns/completed'] = container('completed');
  return w;
}
