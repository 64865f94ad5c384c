import type { Client } from '@modelcontextprotocol/client';
import type { GateSettings } from '../../src/confirm.js';
import { HttpClient } from '../../src/http.js';
import { startCleverTapSim, type CleverTapSim } from '../../src/sandbox/clevertap.js';
import { CleverTapAdapter } from '../../src/vendors/clevertap.js';
import { gateClient } from './gate-ctx.js';

/** The CleverTap simulator behind the real writer, HTTP client and write gate, and an MCP client on that server. */
export async function cleverTapGate(settings: Partial<GateSettings> = {}): Promise<{ sim: CleverTapSim; client: Client; close(): Promise<void> }> {
  const sim = await startCleverTapSim({ seed: 5 });
  const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 50 });
  const adapter = new CleverTapAdapter({ account: 'default', ...sim.credentials, baseUrl: sim.url }, http);
  return { sim, ...await gateClient([adapter], settings, [http, sim]) };
}
