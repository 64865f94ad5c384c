type Rec = Record<string, unknown>;

/** create.json target_mode values (seed 001; notes 1(e)). */
export const CT_TARGET_MODES = ['push', 'email', 'sms', 'webpush', 'whatsapp', 'webhook', 'notificationinbox'];
/** profile_fields operators the sim accepts: seed 001 shows equals and greater_than_equals; the rest are [U]. */
const OPERATORS = ['equals', 'not_equals', 'contains', 'greater_than', 'less_than', 'greater_than_equals', 'less_than_equals', 'exists', 'not_exists'];
/** `to` keys of /1/send/*.json (seed 001: FBID, Email, Identity, objectId; GPID in its examples). */
export const CT_IDENTITY_KEYS = ['FBID', 'Email', 'Identity', 'objectId', 'GPID'];
/** Content a message needs, per target_mode or send channel (seed 001 "required" rows). */
const NEEDS: Record<string, string[]> = {
  push: ['title', 'body'], webpush: ['title', 'body'], email: ['subject', 'body', 'sender_name'], sms: ['body'], whatsapp: ['template_name'],
};

/** YYYYMMDD as a checked int, else undefined. */
export function dayInt(v: unknown): number | undefined {
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === `${m[1]}-${m[2]}-${m[3]}` ? Number(s) : undefined;
}

/** What is wrong with a create.json `where`, if anything. */
export function checkWhere(w: Rec): string | undefined {
  if (w.event_name !== undefined && (typeof w.event_name !== 'string' || !w.event_name)) return 'where.event_name must be a string';
  for (const k of ['from', 'to'] as const) if (w[k] !== undefined && dayInt(w[k]) === undefined) return `Invalid "where.${k}" date (it must be of the format YYYYMMDD)`;
  if (typeof w.from === 'number' && typeof w.to === 'number' && w.from > w.to) return 'Invalid date range';
  const fields = (w.common_profile_properties as Rec | undefined)?.profile_fields;
  if (w.common_profile_properties !== undefined && !Array.isArray(fields)) return 'common_profile_properties.profile_fields must be an array';
  for (const f of (fields ?? []) as Rec[]) {
    if (!f || typeof f.name !== 'string' || !OPERATORS.includes(String(f.operator))) return `Invalid profile field condition ${JSON.stringify(f)}`;
  }
  return undefined;
}

/** What is missing from the content of a create (by target_mode) or a send (by channel). */
export function checkContent(mode: string, b: Rec): string | undefined {
  if (mode === 'webhook') return typeof b.webhook_endpoint_name === 'string' ? undefined : 'webhook_endpoint_name is a mandatory field';
  const c = b.content as Rec | undefined;
  if (mode === 'notificationinbox') return Array.isArray(c) && c.length && typeof b.template_type === 'string' ? undefined : 'template_type and content[] are mandatory';
  if (!c || typeof c !== 'object' || Array.isArray(c)) return 'content is a mandatory field';
  const missing = (NEEDS[mode] ?? []).filter((k) => typeof c[k] !== 'string' || !c[k]);
  return missing.length ? `content.${missing[0]} is a mandatory field` : undefined;
}

/** `when` as the instant it names (YYYYMMDD HH:MM, the sandbox account's zone is UTC), 'now', or undefined if malformed. */
export function parseWhen(when: unknown): number | 'now' | undefined {
  if (when === 'now') return 'now';
  const m = typeof when === 'string' ? /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2})$/.exec(when) : null;
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(t) || Number(m[4]) > 23 || Number(m[5]) > 59 ? undefined : t;
}

/** The recipients of a send's `to`, or an error: unknown keys, non-string ids, none at all. */
export function recipients(to: Rec): Array<[string, string[]]> | undefined {
  const out: Array<[string, string[]]> = [];
  for (const [k, v] of Object.entries(to)) {
    if (!CT_IDENTITY_KEYS.includes(k) || !Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x)) return undefined;
    out.push([k, v as string[]]);
  }
  return out;
}
