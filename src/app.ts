import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY, getUiCapability, registerAppResource } from '@modelcontextprotocol/ext-apps/server';
import type { ClientCapabilities, McpServer, ServerContext } from '@modelcontextprotocol/server';
import { toolCall } from './tool-call.js';

/** The MCP Apps views (`io.modelcontextprotocol/ui`): one self-contained HTML file each, built by scripts/build.mjs from src/ui/. */
export const APP_VIEWS = {
  'write-preview': {
    uri: 'ui://campaign-mcp/write-preview.html',
    title: 'Write preview',
    description: 'A write tool\'s preview as a card: vendor, account, audience and reach, recipients and batches, the message as its channel shows it, the schedule; Confirm or Cancel',
  },
  'audit-report': {
    uri: 'ui://campaign-mcp/audit-report.html',
    title: 'Audit report',
    description: 'audit_campaigns findings grouped by severity, filterable by vendor and check, each with its evidence and fix',
  },
} as const;
export type AppView = keyof typeof APP_VIEWS;

/** Empty allowlists: no fetch, no remote script, style, image, font or frame. The card talks to nothing but the host bridge. */
export const VIEW_UI_META = {
  csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] },
  prefersBorder: true,
};

/** A tool whose result a view renders. */
export interface AppLink {
  tool: string;
  view: AppView;
}

/** True when the client said it renders MCP Apps HTML views (the extension with our mime type). */
export function declaresApps(caps: ClientCapabilities | undefined): boolean {
  return getUiCapability(caps)?.mimeTypes?.includes(RESOURCE_MIME_TYPE) === true;
}

type ListHandler = (request: unknown, ctx: ServerContext) => Promise<Record<string, unknown>>;
interface WithHandlers { _getRequestHandler(method: string): ListHandler | undefined }
/** A tools/list answer in both shapes: for clients that declare MCP Apps, and for the rest. */
interface ListAnswers { withApps: Record<string, unknown>; without: Record<string, unknown> }

/**
 * tools/list as answered once, kept for every server built the same way (over HTTP each request builds its own):
 * the list is fixed once a server is built (no tool is added, enabled or disabled later; the config is read once).
 */
export interface ToolListCache {
  /** What the answer was built from: a server built from anything else gets its own. */
  from?: readonly unknown[];
  answers?: Promise<ListAnswers>;
}

/** `shared` when it was built from `from` (or is still unused), else a cache of the server's own. */
export function toolListFor(shared: ToolListCache | undefined, from: readonly unknown[]): ToolListCache {
  if (!shared) return {};
  shared.from ??= from;
  return shared.from.length === from.length && shared.from.every((x, i) => x === from[i]) ? shared : {};
}

/**
 * Register the views `links` point to, and link them from their tools, for clients that declare the extension only:
 * tools/list adds `_meta.ui.resourceUri` and resources/list shows the ui:// resources per request (the 2026 era carries
 * capabilities on every request); any other client sees the lists exactly as without this.
 */
export function registerApps(server: McpServer, links: readonly AppLink[], toolList: ToolListCache = {}): void {
  const same = (result: Record<string, unknown>) => result;
  if (links.length === 0) return extendList(server, 'tools/list', same, same, toolList);
  const views = [...new Set(links.map((l) => l.view))];
  for (const id of views) {
    const view = APP_VIEWS[id];
    registerAppResource(server, view.title, view.uri, { description: view.description, _meta: { ui: VIEW_UI_META } }, async () => {
      const { viewHtml } = await import('./ui/views.js');
      return { contents: [{ uri: view.uri, mimeType: RESOURCE_MIME_TYPE, text: await viewHtml(id), _meta: { ui: VIEW_UI_META } }] };
    });
  }
  const uriOf = new Map(links.map((l) => [l.tool, APP_VIEWS[l.view].uri]));
  const uris = new Set(views.map((v) => APP_VIEWS[v].uri as string));
  extendList(server, 'tools/list', (result) => ({
    ...result,
    tools: (result.tools as Array<{ name: string; _meta?: Record<string, unknown> }>).map((t) => {
      const uri = uriOf.get(t.name);
      return uri ? { ...t, _meta: { ...t._meta, ui: { resourceUri: uri }, [RESOURCE_URI_META_KEY]: uri } } : t;
    }),
  }), same, toolList);
  extendList(server, 'resources/list', same, (result) => ({
    ...result,
    resources: (result.resources as Array<{ uri: string }>).filter((r) => !uris.has(r.uri)),
  }));
}

/**
 * Wrap the SDK's own handler for `method`: `withApps` or `without` reshapes its answer by what this request's client
 * declared. tools/list is answered from `fixed` once known (its JSON Schemas converted on the first request only);
 * resources/list is asked each time.
 */
function extendList(
  server: McpServer, method: 'tools/list' | 'resources/list',
  withApps: (r: Record<string, unknown>) => Record<string, unknown>, without: (r: Record<string, unknown>) => Record<string, unknown>,
  fixed?: ToolListCache,
): void {
  const inner = (server.server as unknown as WithHandlers)._getRequestHandler(method);
  if (!inner) throw new Error(`campaign-mcp: the SDK registered no ${method} handler to extend with MCP Apps links`);
  const both = (request: unknown, ctx: ServerContext): Promise<ListAnswers> =>
    inner(request, ctx).then((r) => ({ withApps: withApps(r), without: without(r) }));
  const answers = !fixed ? both : (request: unknown, ctx: ServerContext) =>
    (fixed.answers ??= both(request, ctx).catch((err: unknown) => { fixed.answers = undefined; throw err; }));
  const handler = async (request: unknown, ctx: ServerContext) => {
    const result = await answers(request, ctx);
    return declaresApps(toolCall(server, ctx).clientCapabilities) ? result.withApps : result.without;
  };
  const set = server.server.setRequestHandler.bind(server.server) as unknown as (m: string, h: typeof handler) => void;
  set(method, handler);
}
