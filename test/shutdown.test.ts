import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startHostileVendor, type HostileVendor } from './helpers/hostile.js';
import { spawnBin, type Spawned } from './helpers/spawn.js';
import { runMain } from './helpers/main-io.js';

// A silent vendor: a listing of it never finishes on its own, so it is surely in flight when the process is told to stop.
const CALL = { name: 'list_campaigns', arguments: { vendor: 'batch' } };
/** "Promptly": well under the 2 s an MCP client waits before it escalates to SIGKILL. */
const PROMPT_MS = 2_000;
let silent: HostileVendor;
let env: Record<string, string>;
beforeAll(async () => {
  silent = await startHostileVendor('silent');
  env = { BATCH_API_KEY: 'SILENTAPPKEY1', BATCH_REST_API_KEY: 'silent-rest-key-1', BATCH_BASE_URL: silent.url };
});
afterAll(() => silent.close());

/** Open a stdio session and start the silent call; resolves once the vendor has the request. */
async function callInFlight(p: Spawned): Promise<void> {
  const send = (msg: object) => p.proc.stdin.write(`${JSON.stringify(msg)}\n`);
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  await p.waitFor(/"id":1/);
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const before = silent.requests;
  send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: CALL });
  while (silent.requests === before) await new Promise((r) => setTimeout(r, 10));
}

/** Milliseconds from `since` until the process exits, and its exit code. */
async function exitAfter(p: Spawned, since: number): Promise<{ code: number | null; ms: number }> {
  const code = await Promise.race([p.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 8_000))]);
  if (code === 'alive') {
    await p.kill();
    throw new Error(`still running ${Date.now() - since} ms later; stderr=${p.stderr().slice(-1000)}`);
  }
  return { code, ms: Date.now() - since };
}

const answerTo = (p: Spawned, id: number) =>
  p.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: number; result?: { isError?: boolean; content: Array<{ text: string }> } }).find((m) => m.id === id);

describe('stdio exits when its transport closes', () => {
  it('a line over 10 MB closes the SDK transport: the process exits non-zero and says why', async () => {
    // The sandbox's listening simulators would keep a deaf process alive: it must exit on its own account.
    const p = spawnBin(['--sandbox']);
    await p.waitFor(/ready on stdio/, 'stderr');
    p.proc.stdin.on('error', () => undefined); // it may exit before the whole line is written
    // A large message under the limit is still read (and answered: a padded initialize).
    const init = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
    p.proc.stdin.write(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":${JSON.stringify({ ...init, _meta: { pad: 'x'.repeat(9 * 1024 * 1024) } })}}\n`);
    await p.waitFor(/"id":1/);
    const started = Date.now();
    p.proc.stdin.write(`{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}\n`);
    const { code, ms } = await exitAfter(p, started);
    expect(code).toBe(1);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(p.stderr()).toMatch(/stdio transport closed: a message larger than 10 MiB arrived.*; exiting/);
    expect(p.stdout()).not.toMatch(/"id":2/);
  });

  it('EOF with a call in flight, then SIGTERM (how an MCP client closes): the call waits for its answer until the SIGTERM, then exits 0 promptly', async () => {
    const p = spawnBin([], env);
    await callInFlight(p);
    p.proc.stdin.end();
    // EOF ends the requests, not their answers: the process stays for the call (the vendor is silent) ...
    await p.waitFor(/stdin closed: answering the calls still running/, 'stderr');
    await new Promise((r) => setTimeout(r, 300));
    expect(p.proc.exitCode).toBeNull();
    // ... until the client, as MCP's shutdown has it (and the SDK's StdioClientTransport does 2 s after EOF), sends SIGTERM.
    const signalledAt = Date.now();
    p.proc.kill('SIGTERM');
    const { code, ms } = await exitAfter(p, signalledAt);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(answerTo(p, 2)?.result?.content[0]?.text).toMatch(/shutting down/);
  });

  it('SIGTERM with a call in flight: the call is aborted and answered, and the process exits 0 promptly', async () => {
    const p = spawnBin([], env);
    await callInFlight(p);
    const signalledAt = Date.now();
    p.proc.kill('SIGTERM');
    const { code, ms } = await exitAfter(p, signalledAt);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(PROMPT_MS);
    const answer = answerTo(p, 2);
    expect(answer?.result?.isError).toBe(true);
    expect(answer?.result?.content[0]?.text).toMatch(/shutting down/);
    expect(p.stderr()).not.toMatch(/tool failed/);
  });
});

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
/** The same tools/call as each era sends it over HTTP. */
const ERAS = {
  '2025-11-25': { headers: {}, params: CALL },
  '2026-07-28': { headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': CALL.name }, params: { ...CALL, _meta: META } },
};

describe('stdin EOF with a confirmed write on the wire', () => {
  it('the batch the vendor is answering is answered: it succeeds, the answer is written, and a replay of the token sends nothing again', async () => {
    // A Batch API that answers transactional/send 400 ms late: the client closes stdin while the send is with it.
    let sends = 0;
    const vendor = createServer((req, res) => {
      req.resume().on('end', () => {
        const answer = (status: number, body: string) => (res.writeHead(status, { 'content-type': 'application/json' }), res.end(body));
        if (req.url?.includes('transactional/send')) (sends++, setTimeout(() => answer(201, '{"token":"tok-eof"}'), 400));
        else answer(200, '{"campaigns":[],"has_more":false}');
      });
    });
    await new Promise<void>((r) => vendor.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'campaign-mcp-eof-'));
    const env = { BATCH_API_KEY: 'EOFAPPKEY1', BATCH_REST_API_KEY: 'eof-rest-key-1', BATCH_BASE_URL: `http://127.0.0.1:${(vendor.address() as { port: number }).port}` };
    try {
      const args = { vendor: 'batch', channel: 'push', recipients: { ids: ['u1', 'u2'], id_type: 'identity' }, content: { title: 'Hi', body: 'Hello' } };
      const p = spawnBin(['--data-dir', dir], env);
      const send = (msg: object) => p.proc.stdin.write(`${JSON.stringify(msg)}\n`);
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
      await p.waitFor(/"id":1/);
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'send_to_users', arguments: args } });
      const confirm = JSON.parse((await p.waitFor(/^.*"id":2.*$/m))[0]).result.structuredContent.confirm as string;
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'send_to_users', arguments: { ...args, confirm } } });
      while (sends === 0) await new Promise((r) => setTimeout(r, 10));
      p.proc.stdin.end(); // the client's goodbye, 400 ms before the vendor answers
      expect(await p.exited).toBe(0);
      expect(sends).toBe(1);
      // Its answer still went out: EOF ends the requests, not their answers.
      expect(JSON.stringify(answerTo(p, 3)?.result)).toMatch(/"status":"succeeded"/);
      // What the journal kept: the replay reads the outcome back, and sends nothing.
      const replay = await runMain(['call', 'send_to_users', JSON.stringify({ ...args, confirm }), '--data-dir', dir], env);
      expect(replay.out).toMatch(/^SUCCEEDED \(recorded outcome, nothing/);
      expect(replay.out).toContain('tok-eof');
      expect(sends).toBe(1);
    } finally {
      vendor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('over HTTP (one spawned server: the last case stops it)', () => {
  let p: Spawned;
  let url: string;
  beforeAll(async () => {
    p = spawnBin(['--http', '--port', '0'], env);
    url = (await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/mcp/))[0];
  });
  afterAll(() => p.kill());

  it('a call whose client disconnects is logged as cancelled, not as a tool failure, in both eras', async () => {
    for (const [era, { headers, params }] of Object.entries(ERAS)) {
      const [asked, aborted] = [silent.requests, silent.aborted];
      const gone = new AbortController();
      const call = request(url, {
        method: 'POST', signal: gone.signal,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params }),
      }).catch(() => 'disconnected');
      while (silent.requests === asked) await new Promise((r) => setTimeout(r, 10));
      gone.abort();
      expect(await call, era).toBe('disconnected');
      await p.waitFor(new RegExp(`(?:[^]*tool call cancelled){${Object.keys(ERAS).indexOf(era) + 1}}`), 'stderr', 3_000);
      while (silent.aborted === aborted) await new Promise((r) => setTimeout(r, 10)); // the vendor request was dropped too
    }
    expect(p.stderr()).not.toMatch(/tool failed/);
  });

  it('SIGINT with a call in flight: new requests refused, the call answered as aborted, exit 0 promptly', async () => {
    const before = silent.requests;
    const call = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: CALL }),
    }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    while (silent.requests === before) await new Promise((r) => setTimeout(r, 10));
    const signalledAt = Date.now();
    p.proc.kill('SIGINT');
    // Once the signal is handled (at once, or a moment later on a loaded machine) new requests are refused.
    let late: number | string = 0;
    for (const t0 = Date.now(); ![503, 'refused'].includes(late) && Date.now() - t0 < 2_000;) {
      late = await request(url, { method: 'POST', body: '{}' }).then((r) => r.statusCode, () => 'refused');
      if (![503, 'refused'].includes(late)) await new Promise((r) => setTimeout(r, 20));
    }
    expect([503, 'refused']).toContain(late);
    const { code, ms } = await exitAfter(p, signalledAt);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(PROMPT_MS);
    const res = await call;
    expect(res.status).toBe(200);
    // The 2025-era stateless answer may come as one JSON body or as one SSE event.
    const message = res.body.startsWith('{') ? res.body : /^data: (.*)$/m.exec(res.body)![1]!;
    expect(JSON.parse(message)).toMatchObject({ id: 7, result: { isError: true, content: [{ text: expect.stringMatching(/shutting down/) }] } });
  });
});
