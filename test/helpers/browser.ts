import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (installed by .ci/run when missing); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

// One renderer for the host page and its views (no per-site processes): a third less CPU. The views' isolation under
// test is their sandboxed iframe and CSP, which hold in one process; site isolation is the browser's own hardening.
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-site-isolation-trials', '--disable-features=site-per-process,IsolateOrigins',
];

/** One headless chromium with a fresh profile; `close` also removes the profile. */
export async function launch(): Promise<{ context: BrowserContext; requests: string[]; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'campaign-mcp-chromium-'));
  // launchPersistentContext is how playwright takes a --user-data-dir (it refuses that flag in args).
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 640, height: 2000 } })
    .catch((err: unknown) => {
      rmSync(profile, { recursive: true, force: true });
      throw err;
    });
  const requests: string[] = [];
  // Nothing here may reach a network: every request is recorded and refused.
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.abort();
  });
  return {
    context, requests,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The test host page: ext-apps' AppBridge, bundled for the browser, in a page of its own (no server, no URL). */
export async function hostPage(context: BrowserContext): Promise<Page> {
  const out = await build({ entryPoints: [join(import.meta.dirname, 'browser-host.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'warning' });
  const script = out.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
  // The persistent context opens with a page: use it rather than start a second one.
  const page = context.pages()[0] ?? await context.newPage();
  const css = 'body{margin:0;padding:16px;background:#eef0f3;width:592px}body[data-theme=dark]{background:#0e0f11}iframe{display:block;width:560px;height:120px;border:1px solid #8883;border-radius:10px;background:transparent}';
  await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body><script>${script}</script></body></html>`);
  return page;
}
