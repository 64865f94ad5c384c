import type { CampaignSummary, Channel, Audience, VendorId } from '../../src/domain.js';
import { VendorError } from '../../src/errors.js';
import type { Capabilities, GetResult, ListQuery, ListResult, VendorAdapter } from '../../src/vendors/vendor.js';

/** An in-memory adapter for tool tests: records calls, can be told to fail. */
export class FakeAdapter implements VendorAdapter {
  calls: string[] = [];
  fail?: VendorError;
  readonly capabilities: Capabilities;
  /** Another project under the same label: set it to one a token was not previewed on. */
  project: string;
  constructor(
    readonly vendor: VendorId,
    readonly account: string,
    private readonly campaigns: CampaignSummary[],
    caps: Partial<Capabilities> = {},
  ) {
    this.project = `fake-${vendor}-${account}`;
    this.capabilities = {
      list: true, search_server_side: false, report: true, estimate_reach: true,
      channels: ['push', 'email'], ...caps,
    };
  }
  async listCampaigns(q: ListQuery): Promise<ListResult> {
    this.calls.push(`list ${JSON.stringify(q)}`);
    if (this.fail) throw this.fail;
    const text = q.query?.toLowerCase();
    return {
      campaigns: this.campaigns.filter((c) => (!q.status || c.status === q.status) && (!q.channel || c.channel === q.channel) &&
        (!text || c.name.toLowerCase().includes(text) || c.tags?.some((t) => t.toLowerCase().includes(text)))),
    };
  }
  async getCampaign(id: string): Promise<GetResult> {
    this.calls.push(`get ${id}`);
    const c = this.campaigns.find((x) => x.id === id);
    if (!c) throw new VendorError({ vendor: this.vendor, status: 404, message: `campaign ${id} not found` });
    return { campaign: { ...c, audience: 'all users', content: 'Hello' } };
  }
  async getReport(id: string) {
    this.calls.push(`report ${id}`);
    return { vendor: this.vendor, id, available: true, metrics: { sent: 10, clicked: 2 } };
  }
  async estimateReach(channel: Channel, audience: Audience) {
    this.calls.push(`estimate ${channel} ${JSON.stringify(audience)}`);
    return { vendor: this.vendor, channel, estimated_reach: 42, by_platform: { android: 30, ios: 12 } };
  }
}

/** `n` campaigns for `vendor`, one a day going back from 2026-11-20. */
export function makeCampaigns(vendor: VendorId, n: number, offset = 0): CampaignSummary[] {
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2026, 10, 20) - (i * 2 + offset) * 86_400_000).toISOString().slice(0, 10);
    return {
      vendor, id: `${vendor}-${i}`, name: i % 5 === 0 ? `Black Friday ${i}` : `Weekly digest ${i}`,
      status: i % 3 === 0 ? 'running' : 'completed', vendor_status: i % 3 === 0 ? 'Active' : 'Sent',
      channel: i % 2 ? 'email' : 'push', scheduled_at: `${day}T10:00Z`, ...(i % 4 === 0 ? { tags: ['promo'] } : {}),
    } satisfies CampaignSummary;
  });
}
