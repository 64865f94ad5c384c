import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { Clock } from '../src/clock.js';
import { EmbeddedStore } from '../src/store.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';

/**
 * Virtual time that a short wait (pacing) moves on at once, while a wait of WINDOW_WAIT_MS or more (a used-up
 * per-minute window) holds until the call gives up: the window frees only after the call's deadline, on any machine.
 * `held` counts those waits: the HTTP client knows at once that such a wait outlasts the deadline and never starts one.
 * `heldIn` names the call each one waited in (`inCall`), so concurrent cases each see only their own.
 */
const WINDOW_WAIT_MS = 10_000;
const call = new AsyncLocalStorage<string>();
const inCall = <T>(name: string, run: () => Promise<T>): Promise<T> => call.run(name, run);
function heldWindowClock(start: number): Clock & { held: number; heldIn: string[] } {
  let t = start;
  const clock = {
    held: 0,
    heldIn: [] as string[],
    now: () => t,
    async sleep(ms: number, signal?: AbortSignal) {
      if (signal?.aborted) throw signal.reason;
      if (ms < WINDOW_WAIT_MS) {
        t += Math.max(0, ms);
        return Promise.resolve();
      }
      clock.held++;
      clock.heldIn.push(call.getStore() ?? '(no case)');
      return new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
  };
  return clock;
}

type Summary = {
  audited: Array<{ vendor: string; campaigns: number; detail_reads: number; unread?: number; unread_reason?: string; failed_reads?: number }>;
  by_check: Array<{ check: string; findings: number; not_seen?: number }>;
  incomplete?: Array<{ check: string; vendor: string; account?: string; campaigns: number; reason: string }>;
};
type Result = { findings: unknown[]; summary: Summary };

const NOW = new Date('2026-11-22T12:00:00Z');
const ARGS = { vendor: 'moengage', checks: ['dnd_bypass', 'no_control_group', 'duplicate_name'] };
const clock = heldWindowClock(NOW.getTime());
let sandbox: Sandbox;
let http: HttpClient;
let client: Client;
/** The same server with a longer deadline, for the audit that also lists the three other vendors (real CPU before it). */
let roomy: Client;
const runs: Array<{ s: Result; text: string; held: number }> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ now: NOW, clock });
  http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock });
  const ctx = { adapters: createAdapters(sandbox.accounts, http, () => NOW), sandbox: true, store: new EmbeddedStore(), now: () => NOW, clock };
  client = await connectInProcess(createServer({ ...ctx, limits: { deadlineMs: 3_000 } }, allTools, { readOnly: false }));
  // Listing CleverTap, Batch and Altcraft is ~0.1-0.4 s of CPU, which on a loaded machine outlasted 3 s.
  roomy = await connectInProcess(createServer({ ...ctx, limits: { deadlineMs: 8_000 } }, allTools, { readOnly: false }));
  // The deadlines are real time and the first audit's reads are CPU (no wait is real): it runs on a server with the
  // default deadline, so a loaded machine cannot cut it. Both servers share the adapters, so the window it uses up.
  const unhurried = await connectInProcess(createServer(ctx, allTools, { readOnly: false }));
  // The review's repro: the same audit twice; the second finds MoEngage's 100-a-minute window used up.
  for (let k = 0; k < 2; k++) {
    const r = await (k === 0 ? unhurried : client).callTool({ name: 'audit_campaigns', arguments: ARGS });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    runs.push({ s: r.structuredContent as Result, text: (r.content as Array<{ text: string }>)[0]!.text, held: clock.held });
  }
  await unhurried.close();
}, 30_000);
afterAll(async () => {
  await client?.close();
  await roomy?.close();
  await http?.close();
  await sandbox?.close();
});

describe('an audit whose detail reads the vendor\'s rate window holds past the deadline', () => {
  it('the first run reads every campaign and reports clean checks as clean', () => {
    const { s, text, held } = runs[0]!;
    expect(s.summary.audited[0]!.unread).toBeUndefined();
    expect(s.summary.incomplete).toBeUndefined();
    expect(s.summary.by_check.every((c) => c.not_seen === undefined)).toBe(true);
    expect(s.findings.length).toBeGreaterThan(0);
    expect(text).not.toContain('Not fully checked');
    // dnd_bypass read every campaign and found nothing in the sandbox's MoEngage campaigns: the
    // text says so in its own line, the other two having findings.
    expect(s.summary.by_check.find((c) => c.check === 'dnd_bypass')).toMatchObject({ findings: 0 });
    expect(text.split('\n')).toContain('No findings: dnd_bypass.');
    expect(held).toBe(0);
  });

  it('the second run says, per detail check, how many campaigns it could not look at, where and why', () => {
    const { s, held } = runs[1]!;
    // The window really was used up (rate_window, frees_in_s below), and no read waited for it: the client knew at once
    // that it frees after the call's deadline, so the audit answered then instead of at its deadline.
    expect(held).toBe(0);
    const [moe] = s.summary.audited;
    expect(moe!.unread).toBeGreaterThan(0);
    expect(moe!.unread_reason).toBe('rate_window');
    // The HTTP client said so, and when the window frees (not "about a minute" guessed from a silence).
    expect((moe as { frees_in_s?: number }).frees_in_s).toBeGreaterThan(0);
    expect(runs[1]!.text).toContain(`audit again once the window has passed, in about ${(moe as { frees_in_s?: number }).frees_in_s} s`);
    expect(moe!.detail_reads + moe!.unread!).toBe(moe!.campaigns);
    for (const check of ['dnd_bypass', 'no_control_group']) {
      expect(s.summary.incomplete).toContainEqual({ check, vendor: 'moengage', campaigns: moe!.unread, reason: 'rate_window' });
      expect(s.summary.by_check.find((c) => c.check === check)!.not_seen).toBe(moe!.unread);
    }
    // duplicate_name reads the listing only: it saw every campaign.
    expect(s.summary.incomplete!.some((g) => g.check === 'duplicate_name')).toBe(false);
    expect(s.summary.by_check.find((c) => c.check === 'duplicate_name')!.not_seen).toBeUndefined();
  });

  it('its text never calls a check that missed campaigns clean, and says why they were missed', () => {
    const { s, text } = runs[1]!;
    const unread = s.summary.audited[0]!.unread!;
    // Here no check is clean: duplicate_name has findings, the other two missed campaigns. So the text has no
    // "No findings" line at all (the first run shows that line is rendered when a check is clean); a line naming
    // either unseen check would call it clean.
    expect(s.summary.by_check.find((c) => c.check === 'duplicate_name')!.findings).toBeGreaterThan(0);
    const cleanLines = text.split('\n').filter((l) => l.includes('No findings'));
    expect(cleanLines.filter((l) => l.includes('dnd_bypass'))).toEqual([]);
    expect(cleanLines.filter((l) => l.includes('no_control_group'))).toEqual([]);
    expect(cleanLines).toEqual([]);
    expect(text).toContain('2 checks were not fully checked');
    expect(text).toContain(`- dnd_bypass, no_control_group: moengage ${unread} (vendor's rate window)`);
    expect(text).toContain(`moengage: ${unread} campaigns were not read in detail before the call's deadline: the vendor's rate window (100 requests a minute) held the reads back`);
  });

  it('stays small: the gaps cost a few dozen tokens', () => {
    const [first, second] = runs;
    const gapTokens = encode(JSON.stringify(second!.s.summary.incomplete)).length;
    expect(gapTokens).toBeLessThan(80);
    expect(encode(second!.text).length).toBeLessThan(encode(first!.text).length + 200);
  });
});

// Concurrent: none changes what the others see (should a regression make each wait for its deadline, they wait together;
// each case looks only at the waits of its own call).
describe.concurrent('an audit whose listing the vendor\'s used-up rate window holds past the deadline', () => {
  // A wait cut off from its call's context (a background fetch) would be named by no case: none may be held either.
  let before = 0;
  beforeAll(() => {
    before = clock.heldIn.length;
  });
  afterAll(() => expect(clock.heldIn.slice(before)).toEqual([]));

  it('across vendors: the others are audited, and MoEngage is named missing because of its window, with when it frees', async () => {
    const r = await inCall('all vendors', () => roomy.callTool({ name: 'audit_campaigns', arguments: { checks: ['duplicate_name'] } }));
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    const s = r.structuredContent as { summary: Summary & { errors?: Array<{ vendor: string; message: string }> } };
    expect(s.summary.audited.map((a) => a.vendor).sort()).toEqual(['altcraft', 'batch', 'clevertap']);
    expect(s.summary.errors).toHaveLength(1);
    expect(s.summary.errors![0]!.vendor).toBe('moengage');
    expect(s.summary.errors![0]!.message).toMatch(/^Could not list campaigns on moengage: the vendor's rate window \(100 requests a minute, 6,000 requests an hour\) was used up by earlier calls and frees in about \d+ s, after this call's deadline; nothing was sent\. Try again in \d+ s\.$/);
    expect((r.content as Array<{ text: string }>)[0]!.text).toContain('Not audited moengage: Could not list campaigns on moengage: the vendor\'s rate window');
    expect(clock.heldIn).not.toContain('all vendors'); // answered at once, not at the deadline
  });

  it('MoEngage alone: an error naming the window, not a slow vendor', async () => {
    const r = await inCall('moengage audit', () => client.callTool({ name: 'audit_campaigns', arguments: ARGS }));
    expect(r.isError).toBe(true);
    const text = (r.content as Array<{ text: string }>)[0]!.text;
    expect(text).toMatch(/rate window \(100 requests a minute, 6,000 requests an hour\) was used up by earlier calls and frees in about \d+ s/);
    expect(text).not.toMatch(/slow or not answering/);
    expect(clock.heldIn).not.toContain('moengage audit');
  });

  it('list_campaigns says the same', async () => {
    const r = await inCall('list', () => client.callTool({ name: 'list_campaigns', arguments: { vendor: 'moengage' } }));
    expect(r.isError).toBe(true);
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/rate window .* frees in about \d+ s/);
    expect(clock.heldIn).not.toContain('list'); // the shared listing's deadline is its caller's
  });

  it('get_campaign says the same: its deadline (runBounded\'s, the only one it has) is known to the client', async () => {
    const r = await inCall('get', () => client.callTool({ name: 'get_campaign', arguments: { vendor: 'moengage', id: 'c-1' } }));
    expect(r.isError).toBe(true);
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/rate window .* frees in about \d+ s/);
    expect(clock.heldIn).not.toContain('get');
  });
});

