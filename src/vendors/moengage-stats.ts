import type { Metrics } from '../domain.js';
import { obj } from './moengage-map.js';

/** campaign-stats counters onto Metrics; `impression` is MoEngage's open/view count. */
const STAT_KEYS: ReadonlyArray<[keyof Metrics, string[]]> = [
  ['sent', ['sent']], ['delivered', ['delivered']], ['opened', ['impression', 'impressions', 'open', 'opens']],
  ['clicked', ['click', 'clicks']], ['failed', ['failed']], ['bounced', ['bounced', 'bounces']], ['unsubscribed', ['unsubscribed', 'unsubscribes']],
];

/** Sum one campaign's stats over platforms, locales and variations, skipping control-group blocks. */
export function sumStats(entry: unknown): { metrics: Metrics; by_platform: Record<string, Metrics> } | undefined {
  const metrics: Metrics = {};
  const byPlatform: Record<string, Metrics> = {};
  let found = false;
  for (const block of Array.isArray(entry) ? entry : [entry]) {
    for (const [platform, p] of Object.entries(obj(obj(block)?.platforms) ?? {})) {
      for (const locale of Object.values(obj(obj(p)?.locales) ?? {})) {
        for (const [variation, v] of Object.entries(obj(obj(locale)?.variations) ?? {})) {
          const ps = obj(obj(v)?.performance_stats);
          if (!ps || /control/i.test(variation)) continue;
          found = true;
          const target = (byPlatform[platform] ??= {});
          for (const [field, keys] of STAT_KEYS) {
            const key = keys.find((k) => typeof ps[k] === 'number' && Number.isFinite(ps[k]));
            if (key === undefined) continue;
            const n = ps[key] as number;
            target[field] = (target[field] ?? 0) + n;
            metrics[field] = (metrics[field] ?? 0) + n;
          }
        }
      }
    }
  }
  return found ? { metrics, by_platform: byPlatform } : undefined;
}
