import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { FrameLocator, Page } from 'playwright-core';
import { fastClock } from '../src/clock.js';
import { HttpClient } from '../src/http.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createServer } from '../src/server.js';
import { createAdapters } from '../src/vendors/index.js';
import { allTools } from '../tools/index.js';
import { connectInProcess } from './helpers/client.js';
import { gateContext } from './helpers/gate-ctx.js';
import { CHROMIUM, haveChromium, hostPage, launch } from './helpers/browser.js';

// The views as built (test/global-setup.ts runs scripts/build.mjs), each driven by a host page playing ext-apps' AppBridge
// against a real server on the sandbox: the card's Confirm goes through the bridge to the real write gate.
const VIEW = (id: string) => readFileSync(`dist/ui/${id}.html`, 'utf8');
const ARTIFACTS = 'test-artifacts';
const SHOTS = Boolean(process.env.SCREENSHOTS || process.env.UPDATE_SCREENSHOTS);
const MINUTE = 60_000;
const TOMORROW_10 = `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T10:00:00`;

const PUSH = {
  vendor: 'clevertap', name: 'Cart abandoners: back in stock', channel: 'push',
  audience: { event: { name: 'Added To Cart', from: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10) } },
  content: { title: 'Still thinking it over?', body: 'The sneakers in your cart are back in stock in your size. Free returns for 30 days.', deep_link: 'shop://cart' },
  schedule: TOMORROW_10,
};
const EMAIL = {
  vendor: 'moengage', name: 'November newsletter', channel: 'email', audience: { all_users: true },
  content: { subject: 'Your November picks are here', sender_name: 'Acme Store', body: '<html><head><style>p{color:red}</style></head><body><h1>Hello!</h1><p>Our <b>winter</b> collection &amp; this week&#39;s deals.</p><script>document.title="pwned"</script><img src="https://tracker.example/p.gif"></body></html>' },
};
const SEND = {
  vendor: 'clevertap', channel: 'push', content: { title: 'Your order shipped', body: 'Track it in the app.' },
  recipients: { ids: [...Array.from({ length: 2500 }, (_, i) => `user-${i + 1}`), 'user-1', 'user-2'], id_type: 'identity' },
};

/** What the host page (test/helpers/browser-host.ts) exposes; typed here, where there is no DOM lib. */
interface HostApi {
  log: { calls: Array<{ name: string; arguments?: Record<string, unknown> }>; messages: unknown[]; contexts: unknown[] };
  mount(m: Record<string, unknown>): Promise<void>;
  theme(t: string): void;
}

let offset = 0;
let sandbox: Sandbox;
let http: HttpClient;
let client: Client;
let g: ReturnType<typeof gateContext>;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
/** Vendor pacing runs 20x faster on one clock shared by the HTTP clients and the simulators. */
const fast = fastClock(20);
/** The audit reads every campaign in detail at the simulators' documented pace (~15 s of their time): started first, awaited last. */
let audit: Promise<Record<string, unknown>>;
let auditClient: Client;
let auditHttp: HttpClient;

const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args }, { timeout: 60_000 })) as Record<string, unknown>;
const log = () => page.evaluate(() => (globalThis as unknown as { testHost: HostApi }).testHost.log);
const view = (): FrameLocator => page.frameLocator('iframe');

async function show(id: string, tool: string, args: Record<string, unknown>, result: Record<string, unknown>, theme: 'light' | 'dark' = 'light') {
  await page.evaluate((m) => (globalThis as unknown as { testHost: HostApi }).testHost.mount(m), { html: VIEW(id), tool, args, result, theme });
}

/**
 * The card in both themes, the dark one through a host-context change. Screenshots (into test-artifacts/, and docs/
 * with UPDATE_SCREENSHOTS) only when asked: SCREENSHOTS=1. Rendering and encoding them was a quarter of chromium's CPU.
 */
async function shots(name: string) {
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => (globalThis as unknown as { testHost: HostApi }).testHost.theme(t), theme);
    await expect.poll(() => view().locator('html').getAttribute('data-theme')).toBe(theme);
    if (!SHOTS) continue;
    await page.waitForTimeout(50);
    const path = `${ARTIFACTS}/${name}-${theme}.png`;
    await page.locator('iframe').screenshot({ path });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(path, `docs/screenshots/${name}-${theme}.png`);
  }
}

const maybe = haveChromium ? describe : describe.skip;
if (!haveChromium) {
  if (process.env.CI === 'true') {
    describe('MCP Apps views in a real browser', () => it('needs chromium', () => expect.fail(`chromium not found at ${CHROMIUM}: .ci/run installs it`)));
  } else {
    console.warn(`\n*** SKIPPED test/browser.app.test.ts: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH) ***\n`);
  }
}

maybe('MCP Apps views in a real browser', () => {
  beforeAll(async () => {
    if (SHOTS) mkdirSync(ARTIFACTS, { recursive: true });
    if (process.env.UPDATE_SCREENSHOTS) mkdirSync('docs/screenshots', { recursive: true });
    const now = () => new Date(Date.now() + offset);
    [sandbox, browser] = await Promise.all([startSandbox({ clock: fast }), launch()]);
    http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
    g = gateContext(createAdapters(sandbox.accounts, http, now), { now });
    g.ctx.sandbox = true;
    client = await connectInProcess(createServer(g.ctx, allTools, { readOnly: false }));
    // Its own HTTP client: the audit's paced detail reads must not queue the write previews behind them.
    auditHttp = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
    const ag = gateContext(createAdapters(sandbox.accounts, auditHttp), {});
    ag.ctx.sandbox = true;
    ag.ctx.clock = fast;
    auditClient = await connectInProcess(createServer(ag.ctx, allTools, { readOnly: true }));
    audit = auditClient.callTool({ name: 'audit_campaigns', arguments: { status: ['running'] } }, { timeout: 60_000 }).then((r) => r as Record<string, unknown>).finally(() => ag.cleanup());
    audit.catch(() => undefined);
    page = await hostPage(browser.context);
    await page.exposeFunction('callServer', call);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await auditClient?.close();
    await http?.close();
    await auditHttp?.close();
    await sandbox?.close();
    g?.cleanup();
  });

  it('push preview: Confirm sends the token through the bridge and shows the outcome', async () => {
    const first = await call('create_campaign', PUSH);
    const token = (first.structuredContent as { confirm: string }).confirm;
    await show('write-preview', 'create_campaign', PUSH, first);
    const card = view();
    await expect.poll(() => card.locator('.push-title').textContent()).toBe(PUSH.content.title);
    expect(await card.locator('.push-body').textContent()).toBe(PUSH.content.body);
    expect(await card.locator('.facts').textContent()).toContain('Added To Cart');
    expect(await card.locator('.facts').textContent()).toMatch(/Schedule.*10:00/);
    await shots('preview-push');
    await card.getByRole('button', { name: 'Create and schedule' }).click();
    await expect.poll(() => card.locator('main').getAttribute('data-phase'), { timeout: 15_000 }).toBe('done');
    const l = await log();
    expect(l.calls).toEqual([{ name: 'create_campaign', arguments: { ...PUSH, confirm: token } }]);
    expect(await card.locator('.status').textContent()).toBe('Done: The vendor accepted it.');
    expect(await card.locator('h1').textContent()).toContain('Cart abandoners');
    expect(JSON.stringify(l.contexts)).toMatch(/Confirmed in the card\. \[sandbox data\] SUCCEEDED: 1 of 1 accepted/);
    expect(l.messages).toEqual([]);
    await shots('outcome-push');
  });

  it('email preview: subject and a text excerpt; the HTML body never runs; Escape cancels and calls nothing', async () => {
    const first = await call('create_campaign', EMAIL);
    await show('write-preview', 'create_campaign', EMAIL, first);
    const card = view();
    await expect.poll(() => card.locator('.email-subject').textContent()).toBe(EMAIL.content.subject);
    expect(await card.locator('.email-text').textContent()).toBe("Hello! Our winter collection & this week's deals.");
    expect(await card.locator('.email-from').textContent()).toBe('Acme Store');
    expect(await card.locator('img, script[src], style:not(:first-of-type)').count()).toBe(0);
    expect(await card.locator('title').textContent()).toBe('Write preview');
    await shots('preview-email');
    await card.getByRole('button', { name: 'Create campaign' }).focus();
    await card.getByRole('button', { name: 'Create campaign' }).press('Escape');
    await expect.poll(() => card.locator('main').getAttribute('data-phase')).toBe('cancelled');
    // The message reaches the host through the bridge after the card shows its phase: wait for it, then check no call went.
    await expect.poll(async () => (await log()).messages.length).toBe(1);
    const l = await log();
    expect(l.calls).toEqual([]);
    expect(l.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'I cancelled this in the preview card: do not create a one-time email campaign "November newsletter" on moengage/default. Nothing was sent.' }] }]);
  });

  it('2,500-recipient send: recipients and batches; Cancel sends no tool call', async () => {
    const first = await call('send_to_users', SEND);
    await show('write-preview', 'send_to_users', SEND, first);
    const card = view();
    await expect.poll(() => card.locator('.facts').textContent()).toContain('2,500 recipients in 3 batches of up to 1,000 (2 duplicates removed)');
    await shots('preview-send-2500');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => card.locator('main').getAttribute('data-phase')).toBe('cancelled');
    await expect.poll(async () => (await log()).messages.length).toBe(1);
    const l = await log();
    expect(l.calls).toEqual([]);
    expect(l.messages).toHaveLength(1);
  });

  it('a token the server finds expired: a clear message, a fresh preview requested without the token, no write', async () => {
    const first = await call('send_to_users', SEND);
    await show('write-preview', 'send_to_users', SEND, first);
    const card = view();
    offset = 11 * MINUTE; // the server's clock moves past the token's expiry while the card is open
    try {
      await card.getByRole('button', { name: 'Send to 2,500' }).click();
      await expect.poll(() => card.locator('.notice').textContent(), { timeout: 10_000 }).toContain('Fresh preview: the earlier one expired and nothing was sent');
    } finally {
      offset = 0;
    }
    const l = await log();
    const token = (first.structuredContent as { confirm: string }).confirm;
    expect(l.calls.map((c) => c.arguments?.confirm)).toEqual([token, undefined]);
    expect(l.calls[1]).toEqual({ name: 'send_to_users', arguments: SEND });
    expect(await card.getByRole('button', { name: 'Send to 2,500' }).isEnabled()).toBe(true);
  });

  it('a preview already expired when the card opens: the message, and only a fresh preview is offered (Enter on it)', async () => {
    offset = -11 * MINUTE;
    const stale = await call('send_to_users', SEND).finally(() => { offset = 0; });
    await show('write-preview', 'send_to_users', SEND, stale);
    const card = view();
    await expect.poll(() => card.locator('.notice').textContent()).toMatch(/^This preview expired at .*Nothing was sent\.$/);
    expect(await card.getByRole('button', { name: /Send to/ }).count()).toBe(0);
    await shots('preview-expired');
    await card.getByRole('button', { name: 'Get a fresh preview' }).focus();
    await card.getByRole('button', { name: 'Get a fresh preview' }).press('Enter');
    await expect.poll(() => card.locator('main').getAttribute('data-phase'), { timeout: 10_000 }).toBe('ready');
    expect((await log()).calls).toEqual([{ name: 'send_to_users', arguments: SEND }]);
  });

  it('audit report: grouped by severity then check, filtered by vendor and check, evidence and fix on each finding', { timeout: 60_000 }, async () => {
    const r = await audit;
    const s = r.structuredContent as { findings: Array<{ vendor: string; check: string; severity: string }> };
    await show('audit-report', 'audit_campaigns', { status: ['running'] }, r);
    const card = view();
    await expect.poll(() => card.locator('section.group').count()).toBeGreaterThan(0);
    const groups = await card.locator('section.group h2 .badge').allTextContents();
    expect(groups).toEqual(['high', 'medium', 'low'].filter((sev) => s.findings.some((f) => f.severity === sev)));
    expect(await card.locator('.check-group').first().locator('.fix').textContent()).toMatch(/^Fix: \S/);
    expect(await card.locator('.finding').first().locator('dt').allTextContents()).toContain('Evidence');
    await shots('audit-report');
    const expandAll = async () => {
      while (await card.locator('button.more').count()) await card.locator('button.more').first().click();
    };
    await expandAll();
    expect(await card.locator('.finding').count()).toBe(s.findings.length);
    await card.locator('#f-vendor').selectOption('moengage');
    await expandAll();
    expect(await card.locator('.finding').count()).toBe(s.findings.filter((f) => f.vendor === 'moengage').length);
    const check = s.findings.find((f) => f.vendor === 'moengage')!.check;
    await card.locator('#f-check').selectOption(check);
    await expandAll();
    expect(await card.locator('.finding').count()).toBe(s.findings.filter((f) => f.vendor === 'moengage' && f.check === check).length);
    expect(new Set(await card.locator('.finding .where').allTextContents())).toEqual(new Set(['MoEngage']));
  });

  it('reaches no network: the CSP refuses a fetch from the view, and the page made no request', async () => {
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    const violated = await frame.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective));
      setTimeout(() => resolve('no violation reported'), 3000);
      fetch('http://127.0.0.1:9/leak').catch(() => undefined);
    })`);
    expect(violated).toBe('connect-src');
    expect(browser.requests).toEqual([]);
  });
});
