import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { VendorError } from '../src/errors.js';
import type { WriteRecord } from '../src/journal.js';
import type { BatchSim } from '../src/sandbox/batch.js';
import { batchGate } from './helpers/batch-gate.js';
import { NOT_SENT, outcomeOfError, refusedAsSent } from '../src/vendors/write-outcome.js';
import { buildResult, renderWrite } from '../src/write-result.js';

const SAME_TOKEN = /the same token sends it again/;
const NEW_PREVIEW = /same token would be refused again: change what was refused .* new preview/;

/** A one-part write record as the journal keeps it: state, message, not_acted (no status, no code). */
function recordOf(o: { state: 'failed' | 'succeeded' | 'unknown'; message?: string; not_acted?: boolean }): WriteRecord {
  const { state, message, not_acted } = o;
  return {
    id: 'w1', tool: 'create_campaign', vendor: 'batch', account: 'default', args_hash: 'h', summary: 's', created_at: '', expires_at: '',
    parts: [{ state, ...(message ? { message } : {}), ...(not_acted ? { not_acted } : {}) }],
  };
}
/** The batch message a write result shows for `err`, refused as content (fatal, not acted) on 400 and 422. */
const batchMessage = (err: VendorError) => {
  const r = buildResult(recordOf(outcomeOfError(err, { contentError: (e) => e.status === 400 || e.status === 422 })), { replayed: false, resumed: false });
  return r.batches![0]!.message!;
};
const refusal = (status: number, code: number, message: string) => new VendorError({ vendor: 'batch', status, code, message });

describe('the advice on a part refused before the vendor acted', () => {
  it('a refusal of the request as sent (HTTP 400/422) asks for changed arguments and a new preview, never the same token', () => {
    for (const err of [refusal(400, 31, 'MALFORMED_PARAMETER: name is invalid'), new VendorError({ vendor: 'clevertap', status: 422, message: 'content.body too long' })]) {
      const m = batchMessage(err);
      expect(m, m).toMatch(NEW_PREVIEW);
      expect(m).not.toMatch(SAME_TOKEN);
      expect(m).toContain(err.message);
    }
  });

  it('a cause outside the arguments (credentials, rights, rate, connection, a halt) keeps the same token', () => {
    const outside = [
      refusal(401, 10, 'AUTHENTICATION_INVALID: Authentication invalid'),
      refusal(403, 12, 'API_MISUSE: Live API key required'),
      refusal(429, 60, 'TOO_MANY_REQUESTS: Too many requests'),
      new VendorError({ vendor: 'batch', message: 'connect ECONNREFUSED 127.0.0.1:9', notSent: true }),
    ];
    for (const err of outside) {
      const m = batchMessage(err);
      expect(m, m).toMatch(SAME_TOKEN);
      expect(m).toMatch(/outside the arguments/);
      expect(m).not.toMatch(NEW_PREVIEW);
    }
    const halted = buildResult(recordOf(NOT_SENT), { replayed: false, resumed: false }).batches![0]!.message!;
    expect(halted).toMatch(SAME_TOKEN);
  });

  it('reads the status only where outcomeOfError puts it, at the end: a vendor text quoting "HTTP 400" does not count', () => {
    expect(refusedAsSent('bad name, HTTP 400, code 31')).toBe(true);
    expect(refusedAsSent('HTTP 422')).toBe(true);
    expect(refusedAsSent('proxy said HTTP 400 earlier, HTTP 401, code 10')).toBe(false);
    expect(refusedAsSent('3 of 3 refused; first problem: Invalid Alert ID, HTTP 400, code 120002')).toBe(true);
    expect(refusedAsSent(undefined)).toBe(false);
    expect(refusedAsSent('not sent: the write stopped before this request went out')).toBe(false);
  });
});

describe('the advice through the gate, against the Batch simulator', () => {
  let sim: BatchSim;
  let client: Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ sim, client, close } = await batchGate(9));
  });
  afterAll(() => close());
  const call = async (args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'create_campaign', arguments: args });
    return { s: r.structuredContent as { status: string; confirm: string; batches?: Array<{ message?: string }> }, text: (r.content as Array<{ text: string }>)[0]!.text };
  };
  const args = (name: string) => ({ vendor: 'batch', name, channel: 'push', audience: { all_users: true }, content: { title: 'Hi', body: 'Advice' } });

  it('Batch refusing the create as sent (400) says to change the arguments; nothing was created', async () => {
    const p = await call(args('Refused as sent'));
    sim.writes.knobs.inject({ kind: 'status', status: 400, acted: false });
    const r = await call({ ...args('Refused as sent'), confirm: p.s.confirm });
    expect(r.s.status).toBe('failed');
    expect(r.text).toMatch(NEW_PREVIEW);
    expect(r.text).not.toMatch(SAME_TOKEN);
    expect(sim.writes.counts.creates).toBe(0);
  });

  it('Batch refusing the credentials (401) says the same token sends it again, and it does', async () => {
    const p = await call(args('Refused credentials'));
    sim.writes.knobs.inject({ kind: 'status', status: 401, acted: false });
    const r = await call({ ...args('Refused credentials'), confirm: p.s.confirm });
    expect(r.s.status).toBe('failed');
    expect(r.text).toMatch(SAME_TOKEN);
    expect(r.text).not.toMatch(NEW_PREVIEW);
    const again = await call({ ...args('Refused credentials'), confirm: p.s.confirm });
    expect(again.s.status).toBe('succeeded');
    expect(sim.campaigns.filter((c) => c.record.name === 'Refused credentials')).toHaveLength(1);
  });

  it('renders the advice in the text block a person reads', () => {
    const r = buildResult(recordOf(outcomeOfError(refusal(400, 31, 'MALFORMED_PARAMETER: bad'), { contentError: () => true })), { replayed: false, resumed: false });
    expect(renderWrite(r)).toMatch(/batch 0 \(1\): failed — MALFORMED_PARAMETER: bad, HTTP 400, code 31; the vendor refused the request as sent/);
  });
});
