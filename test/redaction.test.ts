import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../src/store.js';
import { connectInProcess } from './helpers/client.js';
import { HttpClient } from '../src/http.js';
import { serveSim, type RunningSim } from '../src/sandbox/sim.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';

const TOKEN = 'altcraft-echoed-SECRET-123';
const PASSCODE = 'clevertap-echoed-SECRET-456';
let echo: RunningSim;
const http = new HttpClient({ baseDelayMs: 1, maxDelayMs: 5 });

beforeAll(async () => {
  // A vendor (or a proxy) that echoes the credential it was sent back in its error text, on HTTP 200.
  echo = await serveSim((req) => req.path.startsWith('/api/v1.1/')
    ? { status: 200, body: { error: 401, error_text: `Token ${TOKEN} is not valid`, data: null } }
    : { status: 200, body: { status: 'fail', error: `Passcode ${PASSCODE} expired`, code: 401 } });
});
afterAll(async () => {
  await echo.close();
  await http.close();
});

describe('a vendor echoing a credential', () => {
  it('never gets it into the fan-out errors, the text or the structured result', async () => {
    const adapters = createAdapters([
      { vendor: 'altcraft', name: 'default', token: TOKEN, baseUrl: echo.url },
      { vendor: 'clevertap', name: 'default', accountId: 'A1', passcode: PASSCODE, baseUrl: echo.url },
    ], http);
    const client = await connectInProcess(createServer({ adapters, sandbox: false, store: new EmbeddedStore(), now: () => new Date() }, allTools, { readOnly: false }));
    const r = await client.callTool({ name: 'list_campaigns', arguments: {} });
    const all = JSON.stringify(r);
    // Both accounts failed: an error naming each, never an empty success.
    expect(r.isError).toBe(true);
    expect(all).toMatch(/altcraft: .*clevertap: /);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(PASSCODE);
    expect(all).toContain('[redacted]');
    await client.close();
  });
});

describe('redaction leaves ordinary text alone', () => {
  it('keeps campaign names that start with Basic or Bearer, scrubs header-shaped tokens', async () => {
    const { redact } = await import('../src/log.js');
    expect(redact('Basic onboarding-flow for Bearer Grylls-Challenge promo')).toBe('Basic onboarding-flow for Bearer Grylls-Challenge promo');
    expect(redact('{"authorization":"Bearer abcdefgh12345678"}')).toBe('{"authorization":"Bearer [redacted]"}');
    expect(redact('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toBe('Authorization: Basic [redacted]');
  });
});

describe('a credential inside JSON inside JSON', () => {
  it('is redacted in its doubly escaped form, for a secret with characters JSON escapes', async () => {
    const { redact, registerSecret } = await import('../src/log.js');
    // A quote and a backslash: escaped once they are \" and \\, twice \\\" and \\\\; no other form matches then.
    const secret = 'fxa-k"ey\\Zq81-wT7v';
    registerSecret(secret);
    const once = JSON.stringify(secret).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    expect(twice).not.toBe(once);
    const text = JSON.stringify(JSON.stringify({ k: secret }));
    expect(text).toContain(twice); // the form under test really is what the text carries
    const out = redact(text);
    for (const form of [secret, once, twice, encodeURIComponent(secret), 'Zq81-wT7v']) expect(out).not.toContain(form);
    // Still JSON inside JSON, the credential replaced whole.
    expect(JSON.parse(JSON.parse(out) as string)).toEqual({ k: '[redacted]' });
  });
});

describe('a short credential', () => {
  it('of 4 to 11 characters is still redacted from log lines and errors', async () => {
    const { createLogger, redact, redactValue, registerSecret } = await import('../src/log.js');
    const short = ['Qk7!', 'pw-9Xz!k2Lq'];
    for (const s of short) registerSecret(s);
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => lines.push(l) });
    for (const s of short) {
      log.warn({ err: redactValue(new Error(`passcode ${s} rejected`)) }, `vendor said: bad key ${s}`);
      expect(redact(`Token ${s} is not valid`)).toBe('Token [redacted] is not valid');
    }
    expect(lines).toHaveLength(2);
    for (const s of short) expect(lines.join('')).not.toContain(s);
    expect(lines.join('')).toContain('bad key [redacted]');
  });
});
