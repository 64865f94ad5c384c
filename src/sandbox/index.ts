import type { AccountConfig } from '../config.js';
import type { Clock } from '../clock.js';
import { registerSecret } from '../log.js';
import { startAltcraftSim, type AltcraftSim } from './altcraft.js';
import { ALTCRAFT_SANDBOX_TRIGGER_ID } from './altcraft-writes.js';
import { MOENGAGE_SANDBOX_ALERT } from './moengage-writes.js';
import { startBatchSim, type BatchSim } from './batch.js';
import { startCleverTapSim, type CleverTapSim } from './clevertap.js';
import { startMoEngageSim, type MoEngageSim } from './moengage.js';

/** The four simulators running on loopback, and the accounts that point at them. */
export interface Sandbox {
  accounts: AccountConfig[];
  /** The campaign_id send_to_users goes through on each simulator that needs one, in words for list_vendors. */
  sendThrough: { moengage: string; altcraft: string };
  sims: { clevertap: CleverTapSim; moengage: MoEngageSim; batch: BatchSim; altcraft: AltcraftSim };
  close(): Promise<void>;
}

/**
 * Start every vendor simulator on 127.0.0.1 ephemeral ports with deterministic seeded data;
 * `documentedOnly` makes every simulator answer only documented fields; `clock` runs their rate windows
 * (a test's fast clock, shared with its HTTP client; default wall time); `now` anchors the seeded data (default: the
 * start of the current hour).
 */
export async function startSandbox(options: { seed?: number; now?: Date; documentedOnly?: boolean; clock?: Clock } = {}): Promise<Sandbox> {
  const seed = options.seed ?? 42;
  const { documentedOnly, clock } = options;
  // Data is anchored to the hour, so two processes started within it (a server and a `campaign-mcp call`) list the
  // same campaigns at the same times, and a cursor one prints continues in the other.
  const now = options.now ?? new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const [clevertap, moengage, batch, altcraft] = await Promise.all([
    startCleverTapSim({ seed, now, documentedOnly, clock }),
    startMoEngageSim({ seed: seed + 1, now, documentedOnly, clock }),
    startBatchSim({ seed: seed + 2, now, documentedOnly, clock }),
    startAltcraftSim({ seed: seed + 3, now, documentedOnly, clock }),
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
    sendThrough: {
      moengage: `"${MOENGAGE_SANDBOX_ALERT.alert_id}", the simulated Inform alert ${MOENGAGE_SANDBOX_ALERT.alert_reference_name}`,
      altcraft: `"mailing-${ALTCRAFT_SANDBOX_TRIGGER_ID}", the simulated API-triggered mailing`,
    },
    sims: { clevertap, moengage, batch, altcraft },
    close: async () => {
      await Promise.all([clevertap.close(), moengage.close(), batch.close(), altcraft.close()]);
    },
  };
}
