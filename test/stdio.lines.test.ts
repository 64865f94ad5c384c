import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { McpServer, parseJSONRPCMessage } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { Inflight } from '../src/inflight.js';
import { createLogger } from '../src/log.js';
import { serveStdio } from '../src/transports/stdio.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

interface Answer { id?: string | number | null; result?: unknown; error?: { code: number; message: string } }

/** The stdio server of src/transports/stdio.ts on in-memory pipes: what it answers, what it logs, what it counts in flight. */
function open(tools?: (s: McpServer) => void, options: { eofWaitMs?: number } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const logs: Array<{ level: number; msg: string; code?: number }> = [];
  const logSink = new PassThrough();
  logSink.on('data', (b: Buffer) => { for (const l of b.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(l) as never); });
  const inflight = new Inflight();
  let closed: string | undefined | null = null;
  const make = () => {
    const s = new McpServer({ name: 'lines', version: '1' });
    tools?.(s);
    return s;
  };
  let text = '';
  // What had been answered when the transport closed.
  let answeredAtClose = '';
  serveStdio(make, createLogger('debug', logSink), inflight, (why) => ((closed = why), (answeredAtClose = text)), { stdin, stdout, ...options });
  stdout.on('data', (b: Buffer) => (text += b.toString()));
  const answers = () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Answer);
  const until = async (ok: () => boolean, what: string) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    if (!ok()) throw new Error(`never: ${what}; stdout=${text.slice(0, 2000)}`);
  };
  return { stdin, answers, logs, inflight, until, closed: () => closed, answeredAtClose: () => answeredAtClose };
}

describe('stdio: a line that is no JSON-RPC message is answered, not dropped', () => {
  it('a malformed request with an id gets -32600 with that id, a line of no JSON -32700 without an id; the good ones around them are served', async () => {
    const s = open();
    const lines = [
      JSON.stringify(INIT),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: 'oops' }),
      JSON.stringify({ id: 99, method: 'tools/list', params: {} }),
      JSON.stringify({ jsonrpc: '1.0', id: 'seven', method: 'ping' }),
      JSON.stringify({ jsonrpc: '1.0', id: 1.5, method: 'ping' }), // no request id (not an integer): none echoed
      `\ufeff${JSON.stringify({ jsonrpc: '2.0', id: 98, method: 'ping' })}`,
      'this is not json',
      '',
      '   ',
      JSON.stringify([{ jsonrpc: '2.0', id: 20, method: 'ping' }]),
      JSON.stringify({ id: 4, result: 1 }), // a malformed answer to a request of ours: never answered back
      JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }),
    ];
    s.stdin.write(`${lines.join('\n')}\n`);
    await s.until(() => s.answers().some((a) => a.id === 8), 'the last ping answered');
    const by = (id: Answer['id']) => s.answers().filter((a) => a.id === id);
    expect(by(1)[0]?.result).toBeDefined();
    expect(by(98)).toEqual([{ jsonrpc: '2.0', id: 98, result: {} }]);
    expect(by(8)).toEqual([{ jsonrpc: '2.0', id: 8, result: {} }]);
    expect(by(5)).toEqual([{ jsonrpc: '2.0', id: 5, error: { code: -32600, message: 'Invalid Request: "params" must be an object' } }]);
    expect(by(99)).toEqual([{ jsonrpc: '2.0', id: 99, error: { code: -32600, message: 'Invalid Request: "jsonrpc" must be "2.0"' } }]);
    expect(by('seven')[0]?.error?.code).toBe(-32600);
    // No id could be read: the error goes without one (MCP's id is optional there, and never null).
    expect(s.answers().filter((a) => !('id' in a)).map((a) => [a.error?.code, a.error?.message])).toEqual([
      [-32600, 'Invalid Request: "jsonrpc" must be "2.0"'],
      [-32700, expect.stringMatching(/^Parse error: a line on stdin is not JSON/)],
      [-32600, expect.stringMatching(/batch/)],
    ]);
    expect(by(4)).toEqual([]);
    expect(s.answers()).toHaveLength(9); // nothing for the blank lines or the malformed answer
    // Every line on stdout is an MCP message a client's SDK takes (an id of null or 1.5 it would drop as invalid).
    for (const a of s.answers()) expect(() => parseJSONRPCMessage(a), JSON.stringify(a)).not.toThrow();
    // Each refusal is logged (on stderr, in the server), without the line itself.
    expect(s.logs.filter((l) => l.msg === 'stdio line refused').map((l) => l.code)).toEqual([-32600, -32600, -32600, -32600, -32700, -32600]);
    expect(JSON.stringify(s.logs)).not.toContain('this is not json');
  });

  it('a message just under the 10 MiB line limit, with another behind it, is served: the limit is per line', async () => {
    const s = open();
    s.stdin.write(`${JSON.stringify(INIT)}\n`);
    const head = '{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{"pad":"';
    const tail = '"}}}';
    const big = `${head}${'x'.repeat(10 * 1024 * 1024 - head.length - tail.length - 1)}${tail}\n`; // newline included: 10 MiB exactly
    expect(Buffer.byteLength(big)).toBe(10 * 1024 * 1024);
    s.stdin.write(`${big}${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' })}\n`);
    await s.until(() => s.answers().some((a) => a.id === 3), 'the ping behind the large one answered');
    expect(s.answers().filter((a) => a.id === 2)).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);
    expect(s.closed()).toBeNull();
  });

  it('a refused line reusing an open request\'s id is answered, and that request still counts in flight', async () => {
    const s = open((server) => server.registerTool('hang', { inputSchema: z.object({}) }, async (_a, ctx) => {
      await new Promise((r) => ctx.mcpReq.signal.addEventListener('abort', r));
      return { content: [] };
    }), { eofWaitMs: 20 });
    s.stdin.write(`${[INIT, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'hang', arguments: {} } }].map((m) => JSON.stringify(m)).join('\n')}\n`);
    await s.until(() => s.inflight.size === 1, 'the call in flight');
    s.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: 'oops' })}\n`);
    await s.until(() => s.answers().some((a) => a.id === 2), 'the refusal');
    expect(s.answers().filter((a) => a.id === 2).map((a) => a.error?.code)).toEqual([-32600]);
    // Still in flight: a shutdown now gives it its grace (a write's batch with the vendor may finish).
    expect(s.inflight.size).toBe(1);
    s.stdin.end();
    await s.until(() => s.closed() !== null, 'the transport closed');
    expect(s.closed()).toBeUndefined(); // EOF: the normal goodbye
  });
});

describe('stdio: EOF ends the requests, not their answers', () => {
  const slow = (server: McpServer) => server.registerTool('slow', { inputSchema: z.object({ ms: z.number() }) }, async ({ ms }, ctx) => {
    await new Promise((r) => {
      const timer = setTimeout(r, ms);
      ctx.mcpReq.signal.addEventListener('abort', () => (clearTimeout(timer), r(undefined)));
    });
    return { content: [{ type: 'text', text: `slept ${ms}` }] };
  });
  const call = (id: number, ms: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'slow', arguments: { ms } } });

  it('requests piped in with EOF right behind them are all answered before the transport closes, a last line without its newline too', async () => {
    const s = open(slow);
    // As `printf '...' | campaign-mcp` sends them: everything at once, then EOF.
    s.stdin.end(`${[JSON.stringify(INIT), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), call(2, 150), call(3, 10)].join('\n')}\n${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' })}`);
    await s.until(() => s.closed() !== null, 'the transport closed');
    expect(s.closed()).toBeUndefined();
    const answered = s.answeredAtClose().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Answer);
    expect(answered.map((a) => a.id).sort()).toEqual([1, 2, 3, 4]);
    expect(answered.find((a) => a.id === 2)?.result).toMatchObject({ content: [{ text: 'slept 150' }] });
    expect(s.logs.map((l) => l.msg)).toContain('stdin closed: answering the calls still running before exiting (SIGTERM stops them now)');
  });

  it('a call still running when the EOF wait ends is given up: the transport closes, and says so', async () => {
    const s = open(slow, { eofWaitMs: 50 });
    const started = performance.now();
    s.stdin.end(`${[JSON.stringify(INIT), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), call(2, 60_000)].join('\n')}\n`);
    await s.until(() => s.closed() !== null, 'the transport closed');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(s.closed()).toBeUndefined();
    expect(s.logs.map((l) => l.msg)).toContain('stdin closed: calls still running after the wait are stopped');
  });

  it('answers queued behind a full stdout are backpressure, not a listener leak: no MaxListenersExceededWarning', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough({ highWaterMark: 16 }); // nobody reads it yet: every answer waits for 'drain'
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      serveStdio(() => new McpServer({ name: 'lines', version: '1' }), createLogger('silent'), new Inflight(), () => undefined, { stdin, stdout });
      const pings = Array.from({ length: 30 }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'ping' }));
      stdin.write(`${[JSON.stringify(INIT), ...pings].join('\n')}\n`);
      await new Promise((r) => setTimeout(r, 50));
      expect(stdout.listenerCount('drain')).toBeGreaterThan(10);
      let text = '';
      stdout.on('data', (b: Buffer) => (text += b.toString()));
      for (let i = 0; i < 200 && !text.includes('"id":129'); i++) await new Promise((r) => setTimeout(r, 5));
      expect(text).toContain('"id":129');
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
