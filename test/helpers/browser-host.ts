// The host side of the MCP Apps bridge, for the browser test: bundled for the page by test/helpers/browser.ts.
// It uses ext-apps' own AppBridge, so our hand-written view bridge is checked against the reference host.
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { McpUiTheme } from '@modelcontextprotocol/ext-apps';

interface Mount { html: string; tool: string; args: Record<string, unknown>; result: Record<string, unknown>; theme: McpUiTheme }
interface Log { calls: Array<{ name: string; arguments?: Record<string, unknown> }>; messages: unknown[]; contexts: unknown[]; initialized: number }
type Forward = (name: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>;

declare global {
  interface Window {
    /** Set by the test (page.exposeFunction): the real server behind this host. */
    callServer: Forward;
    testHost: { log: Log; mount(m: Mount): Promise<void>; theme(t: McpUiTheme): void };
  }
}

const log: Log = { calls: [], messages: [], contexts: [], initialized: 0 };
let bridge: AppBridge | undefined;

async function mount(m: Mount): Promise<void> {
  log.calls = [];
  log.messages = [];
  log.contexts = [];
  await bridge?.close();
  document.querySelector('iframe')?.remove();
  document.body.dataset.theme = m.theme;
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('title', m.tool);
  document.body.append(frame);
  const b = new AppBridge(null, { name: 'campaign-mcp-test-host', version: '1' }, { serverTools: {}, message: { text: {} }, updateModelContext: { text: {} } }, {
    hostContext: { theme: m.theme, locale: 'en-US', displayMode: 'inline', toolInfo: { tool: { name: m.tool, inputSchema: { type: 'object' } } } },
  });
  bridge = b;
  b.oncalltool = async (params) => {
    log.calls.push({ name: params.name, arguments: params.arguments });
    return (await window.callServer(params.name, params.arguments ?? {})) as never;
  };
  b.onmessage = async (params) => {
    log.messages.push(params);
    return {};
  };
  b.onupdatemodelcontext = async (params) => {
    log.contexts.push(params);
    return {};
  };
  b.onsizechange = ({ height }) => {
    if (height) frame.style.height = `${height}px`;
  };
  b.oninitialized = () => {
    log.initialized++;
    void b.sendToolInput({ arguments: m.args }).then(() => b.sendToolResult(m.result as never));
  };
  // Listen before the view's script runs: it sends ui/initialize as soon as it loads.
  await b.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = m.html;
}

window.testHost = {
  log,
  mount,
  theme: (t) => {
    document.body.dataset.theme = t;
    bridge?.setHostContext({ theme: t, locale: 'en-US', displayMode: 'inline' });
  },
};
