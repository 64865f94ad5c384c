import { InputError } from '../errors.js';
import { addDay, resolveRange, spanDays, splitWindows, today } from './clevertap-map.js';
import { dayInZone } from './common.js';
import type { GetOptions } from './vendor.js';

/** list.json refuses spans over 31 days, both ends counted (seed 000 "≤ 31 days"; DESIGN reliability rules). */
export const LIST_MAX_DAYS = 31;
/** Listings also look this far ahead so scheduled campaigns are found (scheduled_on is in the future). */
export const LIST_AHEAD_DAYS = 30;
/** How far back getCampaign looks for an id that is not an epoch (there is no get endpoint, notes 1(b)). */
const GET_DEFAULT_DAYS = 180;
/** Ids are epoch seconds at creation (notes 1(g)); plausible ones anchor the search for get at that day. */
const EPOCH_ID_MIN = 1_300_000_000;
/** getCampaign reads at most this many list.json windows (~2 years) before saying how far it looked; our bound. */
export const GET_MAX_WINDOWS = 24;
/** A search forward from an id's creation day stops this far past today; our bound. */
const GET_AHEAD_MAX_DAYS = 366;

type Window = { from: string; to: string };

/**
 * The list.json windows to search for one id, in order: the day a recent listing saw it (`seen`); then the
 * given dates (newest first); else forward from the day its epoch id was created (usually scheduled soon
 * after), then backward from it (seed 000's own example is scheduled before its id's time); else the last
 * 180 days and the next 30. At most GET_MAX_WINDOWS windows besides the probe, one contiguous span.
 */
export function searchPlan(num: number, options: GetOptions, now: Date, tz: string, seen: string | undefined): Window[] {
  const probe = seen ? [{ from: seen, to: seen }] : [];
  if (options.from || options.to) {
    const range = resolveRange(options.from, options.to, now, GET_DEFAULT_DAYS, LIST_AHEAD_DAYS, tz);
    if (spanDays(range.from, range.to) > GET_MAX_WINDOWS * LIST_MAX_DAYS) {
      throw new InputError(`CleverTap finds one campaign within at most ${GET_MAX_WINDOWS * LIST_MAX_DAYS} days (${GET_MAX_WINDOWS} list.json requests); narrow from/to`);
    }
    return [...(seen && seen >= range.from && seen <= range.to ? probe : []), ...splitWindows(range.from, range.to, LIST_MAX_DAYS).reverse()];
  }
  if (num >= EPOCH_ID_MIN && num * 1000 <= now.getTime() + 86_400_000) {
    const created = addDay(dayInZone(num * 1000, tz), -1);
    const end = addDay(created, (GET_MAX_WINDOWS / 2) * LIST_MAX_DAYS - 1);
    const last = addDay(today(now, tz), GET_AHEAD_MAX_DAYS);
    const forward = splitWindows(created, end < last ? end : last, LIST_MAX_DAYS);
    const back = splitWindows(addDay(created, -(GET_MAX_WINDOWS - forward.length) * LIST_MAX_DAYS), addDay(created, -1), LIST_MAX_DAYS).reverse();
    return [...probe, ...forward, ...back];
  }
  const range = resolveRange(undefined, undefined, now, GET_DEFAULT_DAYS, LIST_AHEAD_DAYS, tz);
  return [...probe, ...splitWindows(range.from, range.to, LIST_MAX_DAYS).reverse()];
}

/** The span of the windows searched. */
export function hull(ws: readonly Window[]): Window {
  return { from: ws.map((w) => w.from).sort()[0] ?? '', to: ws.map((w) => w.to).sort().at(-1) ?? '' };
}
