import type { McpUiHostContext, McpUiInitializeResult } from '@modelcontextprotocol/ext-apps';

type Params = Record<string, unknown>;
interface RpcMessage { jsonrpc?: string; id?: number | string; method?: string; params?: Params; result?: unknown; error?: { code: number; message: string } }

/** The view's side of the MCP Apps bridge: JSON-RPC 2.0 over postMessage with the host window, nothing else. */
export class Bridge {
  private next = 1;
  private readonly pending = new Map<number | string, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly handlers = new Map<string, (params: Params) => unknown>();

  constructor(private readonly host: Window = window.parent) {
    window.addEventListener('message', (e) => this.receive(e));
    this.on('ping', () => ({}));
    this.on('ui/resource-teardown', () => ({}));
  }

  /** Handle a host notification or request; a request is answered with what `handler` returns. */
  on(method: string, handler: (params: Params) => unknown): void {
    this.handlers.set(method, handler);
  }

  request<T>(method: string, params: Params): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.host.postMessage({ jsonrpc: '2.0', id, method, params }, '*');
    });
  }

  notify(method: string, params: Params): void {
    this.host.postMessage({ jsonrpc: '2.0', method, params }, '*');
  }

  private receive(e: MessageEvent): void {
    if (e.source !== this.host) return;
    const m = e.data as RpcMessage;
    if (!m || typeof m !== 'object' || m.jsonrpc !== '2.0') return;
    if (m.method === undefined) {
      const waiter = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!waiter) return;
      this.pending.delete(m.id!);
      if (m.error) waiter.reject(new Error(m.error.message));
      else waiter.resolve(m.result);
      return;
    }
    const handler = this.handlers.get(m.method);
    if (m.id === undefined) {
      handler?.(m.params ?? {});
      return;
    }
    if (!handler) {
      this.host.postMessage({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: `${m.method} is not handled by this view` } }, '*');
      return;
    }
    Promise.resolve(handler(m.params ?? {})).then(
      (result) => this.host.postMessage({ jsonrpc: '2.0', id: m.id, result: result ?? {} }, '*'),
      (err: unknown) => this.host.postMessage({ jsonrpc: '2.0', id: m.id, error: { code: -32603, message: String(err) } }, '*'),
    );
  }
}

/** The ui/initialize handshake; handlers for tool input and result must be set before, they arrive right after. */
export async function initialize(bridge: Bridge, name: string): Promise<McpUiInitializeResult> {
  const init = await bridge.request<McpUiInitializeResult>('ui/initialize', {
    appInfo: { name, version: '1' }, appCapabilities: {}, protocolVersion: '2026-01-26',
  });
  bridge.notify('ui/notifications/initialized', {});
  return init;
}

/** Before the host says: the system's preference. */
export function defaultTheme(): void {
  const root = document.documentElement;
  if (!root.dataset.theme) root.dataset.theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Follow the host's theme and style variables (only `--*` custom properties; host font CSS is not loaded: no network). */
export function applyHostContext(ctx: Partial<McpUiHostContext> | undefined): void {
  if (!ctx) return;
  const root = document.documentElement;
  if (ctx.theme === 'light' || ctx.theme === 'dark') {
    root.dataset.theme = ctx.theme;
    root.style.colorScheme = ctx.theme;
  }
  for (const [k, v] of Object.entries(ctx.styles?.variables ?? {})) if (k.startsWith('--') && typeof v === 'string') root.style.setProperty(k, v);
}

/** Tell the host the content's size whenever it changes (hosts size the frame to it). */
export function reportSize(bridge: Bridge): void {
  let last = '';
  const send = () => {
    const width = Math.ceil(document.documentElement.scrollWidth);
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    const key = `${width}x${height}`;
    if (key === last) return;
    last = key;
    bridge.notify('ui/notifications/size-changed', { width, height });
  };
  new ResizeObserver(send).observe(document.body);
}
