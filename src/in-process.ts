import { InMemoryTransport, type JSONRPCMessage, type McpServer } from '@modelcontextprotocol/server';

/** A minimal in-process MCP caller: the terminal commands need two requests, not a whole client library. */
export interface InProcessClient {
  request<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Connect to `server` in memory (2025-11-25 handshake) and return a request function; notifications go to `onNotification`. */
export async function connectInProcess(server: McpServer, onNotification?: (method: string, params: Record<string, unknown>) => void): Promise<InProcessClient> {
  const [mine, theirs] = InMemoryTransport.createLinkedPair();
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 1;
  mine.onmessage = (m: JSONRPCMessage) => {
    if ('method' in m && !('id' in m)) onNotification?.(m.method, (m.params ?? {}) as Record<string, unknown>);
    if (!('id' in m) || typeof m.id !== 'number' || 'method' in m) return;
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if ('error' in m) waiter?.reject(new Error(m.error.message));
    else waiter?.resolve(m.result);
  };
  await server.connect(theirs);
  await mine.start();
  const request = <T>(method: string, params: Record<string, unknown> = {}) => new Promise<T>((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    mine.send({ jsonrpc: '2.0', id, method, params }).catch(reject);
  });
  await request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'campaign-mcp-cli', version: '1' } });
  await mine.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return {
    request,
    close: async () => {
      await mine.close();
      await server.close();
    },
  };
}
