import { readFile } from 'node:fs/promises';
import type { AppView } from '../app.js';

/** Set by scripts/build.mjs: every view's HTML as JSON, inlined into the bundle (the .mcpb ships no other file). */
declare const __CAMPAIGN_MCP_VIEWS__: string | undefined;

/** One view's self-contained HTML: inlined in the bundle; from source (tests), the file the build wrote to dist/ui/. */
export async function viewHtml(id: AppView): Promise<string> {
  if (typeof __CAMPAIGN_MCP_VIEWS__ !== 'undefined') return (JSON.parse(__CAMPAIGN_MCP_VIEWS__) as Record<AppView, string>)[id];
  return readFile(new URL(`../../dist/ui/${id}.html`, import.meta.url), 'utf8');
}
