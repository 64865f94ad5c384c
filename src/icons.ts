import type { Icon } from '@modelcontextprotocol/server';

const svg = (body: string): Icon[] => [{
  src: `data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#1f6feb" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`).toString('base64')}`,
  mimeType: 'image/svg+xml',
  sizes: ['any'],
}];

/** The server's icon: a megaphone, for hosts that show one beside the server name. */
export const SERVER_ICONS: Icon[] = svg('<path d="M3 11v2a1 1 0 0 0 1 1h2l5 4V6L6 10H4a1 1 0 0 0-1 1z"/><path d="M15 9a3 3 0 0 1 0 6"/><path d="M18 6a7 7 0 0 1 0 12"/>');

/** A tool's icon by kind: a magnifier for reads, a pencil for writes, a paper plane for sends and stops. */
export const TOOL_ICONS: Record<'read' | 'write' | 'destructive', Icon[]> = {
  read: svg('<circle cx="11" cy="11" r="7"/><path d="m21 21-4.3-4.3"/>'),
  write: svg('<path d="M12 20h9"/><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"/>'),
  destructive: svg('<path d="m22 2-7 20-4-9-9-4z"/><path d="M22 2 11 13"/>'),
};
