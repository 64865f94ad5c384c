import type { ToolDefinition } from '../src/tool.js';
import listVendors from './list-vendors.js';
import listCampaigns from './list-campaigns.js';
import searchCampaigns from './search-campaigns.js';
import getCampaign from './get-campaign.js';
import getCampaignReport from './get-campaign-report.js';
import estimateReach from './estimate-reach.js';
import createCampaign from './create-campaign.js';
import sendToUsers from './send-to-users.js';
import setCampaignStatus from './set-campaign-status.js';
import auditCampaigns from './audit-campaigns.js';

/** The registry: every tool the server can expose, in the order clients list them. */
export const allTools: ToolDefinition[] = [
  listVendors, listCampaigns, searchCampaigns, getCampaign, getCampaignReport, estimateReach, createCampaign, sendToUsers, setCampaignStatus, auditCampaigns,
] as unknown as ToolDefinition[];
