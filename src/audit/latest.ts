import { randomBytes } from 'node:crypto';
import type { ToolContext } from '../tool.js';
import type { AuditResult } from './index.js';

/** Where this server's last audit can be read again as a resource, to attach the report to a conversation. */
export const LATEST_AUDIT_URI = 'audit://latest';
/** Each audit's own report, kept in the store: readable on every instance sharing it, whoever audits next. */
export const AUDIT_REPORT_TEMPLATE = 'audit://reports/{id}';
/** How long at most a report stays readable by its URI (the store's snapshot budget may let it go sooner, oldest first). */
export const AUDIT_REPORT_TTL_MS = 24 * 3_600_000;

export interface KeptAudit {
  result: AuditResult;
  text: string;
  at: string;
}

const latest = new WeakMap<ToolContext, KeptAudit>();
const key = (id: string) => `audit:${id}`;

/**
 * Keep an audit, its text rendered naming where it is kept: under an id of its own in the store (that URI is the
 * report_uri) and as this server's latest (in its memory). A store that did not take it leaves the latest only.
 */
export async function rememberAudit(ctx: ToolContext, result: AuditResult, render: (uri: string) => string): Promise<{ uri: string; text: string }> {
  const at = ctx.now().toISOString();
  const id = randomBytes(9).toString('base64url');
  let uri = AUDIT_REPORT_TEMPLATE.replace('{id}', id);
  let text = render(uri);
  try {
    await ctx.store.putSnapshot(key(id), { result, text, at }, AUDIT_REPORT_TTL_MS, Buffer.byteLength(text) + JSON.stringify(result).length);
  } catch {
    uri = LATEST_AUDIT_URI;
    text = render(uri);
  }
  latest.set(ctx, { result, text, at });
  return { uri, text };
}

/** The last audit of this context, if one ran since the server started. */
export function latestAudit(ctx: ToolContext): KeptAudit | undefined {
  return latest.get(ctx);
}

/** The audit kept under `id`, if the store still has it. */
export async function keptAudit(ctx: ToolContext, id: string): Promise<KeptAudit | undefined> {
  return /^[\w-]{1,64}$/.test(id) ? (await ctx.store.getSnapshot(key(id))) as KeptAudit | undefined : undefined;
}
