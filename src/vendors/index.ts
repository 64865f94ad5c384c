import type { AccountConfig } from '../config.js';
import type { HttpClient } from '../http.js';
import { AltcraftAdapter } from './altcraft.js';
import { BatchAdapter } from './batch.js';
import { CleverTapAdapter } from './clevertap.js';
import { MoEngageAdapter } from './moengage.js';
import type { VendorAdapter } from './vendor.js';

/** One adapter per configured account, sharing one HTTP client. */
export function createAdapters(accounts: readonly AccountConfig[], http: HttpClient, now?: () => Date): VendorAdapter[] {
  return accounts.map((a): VendorAdapter => {
    switch (a.vendor) {
      case 'clevertap':
        return new CleverTapAdapter({ account: a.name, accountId: a.accountId, passcode: a.passcode, region: a.region, baseUrl: a.baseUrl, timezone: a.timezone ?? 'UTC', now }, http);
      case 'moengage':
        return new MoEngageAdapter({ account: a.name, workspaceId: a.workspaceId, apiKey: a.apiKey, dataCenter: a.dataCenter, baseUrl: a.baseUrl, createdBy: a.createdBy, timezone: a.timezone ?? 'UTC', now }, http);
      case 'batch':
        return new BatchAdapter({ account: a.name, apiKey: a.apiKey, restApiKey: a.restApiKey, baseUrl: a.baseUrl, timezone: a.timezone ?? 'UTC', now }, http);
      case 'altcraft':
        return new AltcraftAdapter({ account: a.name, token: a.token, baseUrl: a.baseUrl, timezone: a.timezone ?? 'UTC', now }, http);
    }
  });
}
