import { carriers, field } from './fields.js';
import { finding, type Check } from './types.js';

/** Links that are not marketing destinations and take no UTM parameters. */
const UNTRACKED = /unsubscribe|optout|opt-out|preferences|privacy|terms|mailto:|\{\{/i;

/** The http(s) links of `links` that should carry UTM parameters and carry none. */
export function linksWithoutUtm(links: readonly string[]): string[] {
  return links.filter((l) => /^https?:\/\//i.test(l) && !UNTRACKED.test(l) && !/[?&]utm_[a-z]+=/i.test(l));
}

/**
 * Reads detail.links (the http(s) links the adapter found in MoEngage campaign_content): a link without
 * any utm_* parameter. Limits: app deep links and unsubscribe/preference links are ignored; the other
 * adapters do not extract links yet.
 */
export const missingUtm: Check = {
  id: 'missing_utm', severity: 'low', needsDetail: true, vendors: carriers('links'),
  reads: 'links in the message content',
  unsupported: 'links in the content are not read from this vendor',
  run(items) {
    return items.filter((i) => this.vendors[i.summary.vendor] && i.detail?.links?.length).flatMap((i) => {
      const bare = linksWithoutUtm(i.detail!.links!);
      if (!bare.length) return [];
      const shown = bare[0]!.length > 80 ? `${bare[0]!.slice(0, 79)}…` : bare[0]!;
      const more = bare.length > 1 ? ` (+${bare.length - 1} more)` : '';
      return [finding(this, i, `${field('links', i.summary.vendor)} link without utm_*: ${shown}${more}`, 'Add utm_source, utm_medium and utm_campaign to the links.')];
    });
  },
};

/**
 * Reads detail.reachable (MoEngage reachability_details.count, given for scheduled campaigns): the
 * vendor says the audience matches nobody. Limits: only where the vendor counts; a count of a few is not flagged.
 */
export const emptyAudience: Check = {
  id: 'empty_audience', severity: 'high', needsDetail: true, vendors: carriers('reach'),
  reads: "the vendor's own count of users the audience matches",
  unsupported: 'the vendor does not say how many users a campaign audience matches',
  run(items) {
    return items.filter((i) => this.vendors[i.summary.vendor] && i.detail?.reachable === 0)
      .map((i) => finding(this, i, `${field('reach', i.summary.vendor)}: 0`, 'Fix the segment or event condition (it matches nobody), or stop the campaign.'));
  },
};
