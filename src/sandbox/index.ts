import type { AccountConfig } from '../config.js';
import { registerSecret } from '../log.js';
import { startAltcraftSim, type AltcraftSim } from './altcraft.js';
import { startBatchSim, type BatchSim } from './batch.js';
import { startCleverTapSim, type CleverTapSim } from './clevertap.js';
import { startMoEngageSim, type MoEngageSim } from './moengage.js';

/** The four simulators running on loopback, and the accounts that point at them. */
export interface Sandbox {
  accounts: AccountConfig[];
  sims: { clevertap: CleverTapSim; moengage: MoEngageSim; batch: BatchSim; altcraft: AltcraftSim };
  close(): Promise<void>;
}

/**
 * Start every vendor simulator on 127.0.0.1 ephemeral ports with deterministic seeded data;
 * `documentedOnly` makes those that have the mode (MoEngage, Batch) answer only documented fields.
 */
export async function startSandbox(options: { seed?: number; now?: Date; documentedOnly?: boolean } = {}): Promise<Sandbox> {
  const seed = options.seed ?? 42;
  const [clevertap, moengage, batch, altcraft] = await Promise.all([
    startCleverTapSim({ seed, now: options.now }),
    startMoEngageSim({ seed: seed + 1, now: options.now, documentedOnly: options.documentedOnly }),
    startBatchSim({ seed: seed + 2, now: options.now, documentedOnly: options.documentedOnly }),
    startAltcraftSim({ seed: seed + 3, now: options.now }),
  ]);
  const accounts: AccountConfig[] = [
    { vendor: 'clevertap', name: 'default', ...clevertap.credentials, baseUrl: clevertap.url },
    { vendor: 'moengage', name: 'default', ...moengage.credentials, baseUrl: moengage.url, createdBy: 'sandbox.user@campaign-mcp.example' },
    { vendor: 'batch', name: 'default', ...batch.credentials, baseUrl: batch.url },
    { vendor: 'altcraft', name: 'default', ...altcraft.credentials, baseUrl: altcraft.url },
  ];
  for (const a of accounts) for (const f of ['passcode', 'apiKey', 'restApiKey', 'token']) registerSecret((a as Record<string, unknown>)[f] as string | undefined);
  return {
    accounts,
    sims: { clevertap, moengage, batch, altcraft },
    close: async () => {
      await Promise.all([clevertap.close(), moengage.close(), batch.close(), altcraft.close()]);
    },
  };
}
