import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { HttpClient } from '../src/http.js';
import { createServer } from '../src/server.js';
import { ShutdownError } from '../src/shutdown.js';
import { EmbeddedStore } from '../src/store.js';
import type { ToolContext } from '../src/tool.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { startHostileVendor, type HostileVendor } from './helpers/hostile.js';

/** A logger whose lines a test can read. */
function capturingLogger() {
  const lines: Array<{ msg: string; level: number }> = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l))), done()) });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const DEADLINE_MS = 400;
let silent: HostileVendor;
let http: HttpClient;
let ctx: ToolContext;
beforeAll(async () => {
  silent = await startHostileVendor('silent');
  http = new HttpClient({ timeoutMs: 20_000 });
  const accounts = [{ vendor: 'batch' as const, name: 'default', apiKey: 'SILENTAPPKEY1', restApiKey: 'silent-rest-key-1', baseUrl: silent.url }];
  ctx = { adapters: createAdapters(accounts as never, http), sandbox: false, store: new EmbeddedStore(), now: () => new Date(), limits: { deadlineMs: DEADLINE_MS } };
});
afterAll(async () => {
  await http.close(true);
  await silent.close();
});
const untilAsked = async (before: number) => {
  while (silent.requests === before) await new Promise((r) => setTimeout(r, 5));
};
const untilAborted = async (before: number, ms = 2_000) => {
  const t0 = Date.now();
  while (silent.aborted === before && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
  return silent.aborted - before;
};

describe('calls in flight are aborted down to the vendor socket', () => {
  let stop: AbortController;
  afterEach(() => stop?.abort());

  it('a shutdown aborts the vendor request (the client stays open) and the call answers that the server is stopping', async () => {
    stop = new AbortController();
    const { logger, lines } = capturingLogger();
    const client = await connectInProcess(createServer({ ...ctx, limits: { deadlineMs: 30_000 } }, allTools, { readOnly: true, logger, signal: stop.signal }));
    const [asked, aborted] = [silent.requests, silent.aborted];
    const call = client.callTool({ name: 'list_campaigns', arguments: { vendor: 'batch' } });
    await untilAsked(asked);
    const t0 = performance.now();
    stop.abort(new ShutdownError('SIGTERM received'));
    const r = await call;
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(r.isError).toBe(true);
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/^Could not list campaigns: campaign-mcp is shutting down \(SIGTERM received\)/);
    expect(await untilAborted(aborted)).toBe(1);
    expect(lines.map((l) => l.msg)).toContain('tool call aborted: shutting down');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    await client.close();
  });

  it('a call the client cancels is logged as cancelled, not as a tool failure, and its vendor request is aborted', async () => {
    const { logger, lines } = capturingLogger();
    const client = await connectInProcess(createServer({ ...ctx, limits: { deadlineMs: 30_000 } }, allTools, { readOnly: true, logger }));
    const [asked, aborted] = [silent.requests, silent.aborted];
    const cancel = new AbortController();
    const call = client.callTool({ name: 'get_campaign', arguments: { vendor: 'batch', id: 't00000001' } }, { signal: cancel.signal });
    await untilAsked(asked);
    cancel.abort();
    await expect(call).rejects.toThrow();
    expect(await untilAborted(aborted)).toBe(1);
    for (const t0 = Date.now(); !lines.some((l) => l.msg === 'tool call cancelled') && Date.now() - t0 < 2_000;) await new Promise((r) => setTimeout(r, 10));
    expect(lines.map((l) => l.msg)).toContain('tool call cancelled');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    await client.close();
  });
});

describe('campaign://{vendor}/{id}', () => {
  it('has the tools\' deadline: a silent vendor cannot hold the read past it', async () => {
    const client = await connectInProcess(createServer(ctx, allTools, { readOnly: true }));
    const [asked, aborted] = [silent.requests, silent.aborted];
    const t0 = performance.now();
    const read = client.readResource({ uri: 'campaign://batch/t00000001' });
    await expect(read).rejects.toThrow(/deadline/);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
    expect(silent.requests).toBeGreaterThan(asked);
    expect(await untilAborted(aborted)).toBe(1);
    await client.close();
  });
});
