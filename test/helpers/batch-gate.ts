import type { Client } from '@modelcontextprotocol/client';
import { fastClock } from '../../src/clock.js';
import { HttpClient } from '../../src/http.js';
import { startBatchSim, type BatchSim } from '../../src/sandbox/batch.js';
import { createAdapters } from '../../src/vendors/index.js';
import { gateClient } from './gate-ctx.js';

/**
 * The Batch simulator (its 429 rate limit off, waits 20 times faster) behind the real adapter, HTTP client and write
 * gate, its journal in a temporary directory, and an MCP client on that server.
 */
export async function batchGate(seed: number): Promise<{ sim: BatchSim; client: Client; close(): Promise<void> }> {
  const fast = fastClock(20);
  const sim = await startBatchSim({ seed, rateLimit: false, clock: fast });
  const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 40, clock: fast });
  const adapters = createAdapters([{ vendor: 'batch', name: 'default', ...sim.credentials, baseUrl: sim.url }], http, () => new Date());
  return { sim, ...await gateClient(adapters, {}, [http, sim]) };
}
