import { formatInZone, type Rec } from './common.js';

/** A list.json target as the adapter keeps it: `local` is scheduled_on as account wall time (YYYY-MM-DDTHH:MM). */
export interface Target {
  id: string;
  name: string;
  local?: string;
  vendor_status: string;
  raw: Rec;
}

/** A report.json start, in the account's wall time: a day, and the minute when the answer has one. */
export interface ReportStart {
  day: string;
  minute?: string;
}

/**
 * report.json `start_date` ([3P]: its format is not documented) as account wall time: YYYYMMDDHHMM or
 * YYYYMMDD (like list.json), ISO with an offset (converted to `tz`) or without one (already local), or epoch.
 */
export function reportStart(v: unknown, tz: string): ReportStart | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  let m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2}))?$/.exec(s);
  if (m) return { day: `${m[1]}-${m[2]}-${m[3]}`, ...(m[4] ? { minute: `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}` } : {}) };
  if (/^\d{10}(\d{3})?$/.test(s)) return fromInstant(Number(s) * (s.length === 10 ? 1000 : 1), tz);
  m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(s);
  if (!m) return undefined;
  if (m[3]) return fromInstant(Date.parse(`${m[1]}T${m[2]}:00${m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3]}`), tz);
  return { day: m[1]!, ...(m[2] ? { minute: `${m[1]}T${m[2]}` } : {}) };
}

function fromInstant(ms: number, tz: string): ReportStart | undefined {
  if (Number.isNaN(ms)) return undefined;
  const wall = formatInZone(ms, tz).slice(0, 16);
  return { day: wall.slice(0, 10), minute: wall };
}

const norm = (name: unknown) => (typeof name === 'string' ? name.trim().toLowerCase() : '');

/**
 * Join report rows onto list.json targets on the documented fields only: `message_name` = `name` and
 * `start_date` = `scheduled_on` (to the minute when both have one, else the same account day). A pair is
 * joined only when it is the one candidate on both sides; everything else stays unmatched (never guessed).
 */
export function joinReport(targets: readonly Target[], rows: readonly Rec[], tz: string): { byId: Map<string, Rec>; unmatched: number } {
  const byId = new Map<string, Rec>();
  const starts = rows.map((r) => reportStart(r.start_date, tz));
  const used = new Set<number>();
  for (const pass of ['minute', 'day'] as const) {
    const keyOf = (name: unknown, local: string | undefined) => (local ? `${norm(name)}|${pass === 'minute' ? local : local.slice(0, 10)}` : undefined);
    const tKeys = new Map<string, Target[]>();
    for (const t of targets) {
      const k = byId.has(t.id) ? undefined : keyOf(t.name, t.local);
      if (k) tKeys.set(k, [...(tKeys.get(k) ?? []), t]);
    }
    const rKeys = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const st = starts[i];
      const k = used.has(i) || !st ? undefined : keyOf(r.message_name, pass === 'minute' ? st.minute : st.day);
      if (k) rKeys.set(k, [...(rKeys.get(k) ?? []), i]);
    });
    for (const [k, ts] of tKeys) {
      const rs = rKeys.get(k);
      if (ts.length !== 1 || rs?.length !== 1) continue;
      byId.set(ts[0]!.id, rows[rs[0]!]!);
      used.add(rs[0]!);
    }
  }
  return { byId, unmatched: targets.length - byId.size };
}

/** Labels of a report row: an array or a comma-separated string. */
export function rowLabels(m: Rec | undefined): string[] {
  if (Array.isArray(m?.labels)) return m.labels.filter((l): l is string => typeof l === 'string' && l.length > 0);
  return typeof m?.labels === 'string' ? m.labels.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

