import type { ToolContext } from '../tool.js';
import type { AuditResult } from './index.js';

/** Where the last audit can be read again as a resource, to attach the report to a conversation. */
export const LATEST_AUDIT_URI = 'audit://latest';

const latest = new WeakMap<ToolContext, { result: AuditResult; text: string; at: string }>();

/** Keep the last audit of this server's context (one per server; not persisted). */
export function rememberAudit(ctx: ToolContext, result: AuditResult, text: string): void {
  latest.set(ctx, { result, text, at: ctx.now().toISOString() });
}

/** The last audit of this context, if one ran since the server started. */
export function latestAudit(ctx: ToolContext): { result: AuditResult; text: string; at: string } | undefined {
  return latest.get(ctx);
}
