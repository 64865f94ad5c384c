import { z } from 'zod';
import { ChannelSchema, VendorIdSchema } from './domain.js';
import type { GateCall, WriteGate, WriteRequest } from './confirm.js';
import type { Asked, ToolCall } from './tool-call.js';
import type { ToolResult } from './tool.js';
import { renderWrite, type WriteResult } from './write-result.js';

/** The confirm argument every write tool takes. */
export const confirmField = z.string().min(1).max(400).optional()
  .describe('the token from this tool\'s preview; omit it first to get a preview (nothing is written without it)');

const Batch = z.object({ index: z.number(), recipients: z.number(), state: z.enum(['succeeded', 'failed', 'unknown', 'pending']), message: z.string().optional() });

/** One output shape for every write tool: a preview, or the outcome of acting (DESIGN "Write results"). */
export const writeOutput = {
  status: z.enum(['confirmation_required', 'succeeded', 'failed', 'unknown', 'partial']),
  approval: z.enum(['declined', 'cancelled']).optional().describe('the person was asked and did not approve: nothing was written'),
  confirm: z.string().optional().describe('pass back as confirm, with the same arguments, to act'),
  expires_at: z.string().optional(),
  preview: z.object({
    vendor: VendorIdSchema, account: z.string(), operation: z.string(), channel: ChannelSchema.optional(),
    audience: z.string().optional(), estimated_reach: z.number().optional(), content: z.string().optional(),
    schedule: z.union([z.literal('now'), z.object({ local: z.string(), utc: z.string(), timezone: z.string() })]).optional(),
    counts: z.object({ recipients: z.number(), duplicates_removed: z.number(), batches: z.number(), batch_size: z.number() }).optional(),
    notes: z.array(z.string()).optional(),
  }).optional(),
  write_id: z.string().optional(),
  vendor_ref: z.string().optional().describe("the vendor's id of what was created or sent"),
  batches: z.array(Batch).optional().describe('per batch; when there are many, only those not succeeded'),
  counts: z.object({ recipients: z.number(), succeeded: z.number(), failed: z.number(), unknown: z.number(), pending: z.number() }).optional(),
  replayed: z.boolean().optional().describe('the recorded outcome of an earlier confirmation; nothing was sent again'),
  resumed: z.boolean().optional().describe('this call sent batches an earlier run left unsent'),
  message: z.string().optional(),
  sandbox: z.boolean().optional().describe('true when the data comes from the built-in simulators'),
};

const APPROVE_KEY = 'approve_write';
const Approve = z.object({ approve: z.boolean().describe('true to go ahead with this write') });

/** The gate's view of a tool call: progress when the client asked for it, and the person's answer when they were asked. */
function gateCall(call: ToolCall | undefined): GateCall {
  if (!call) return {};
  const token = call.sdk.mcpReq._meta?.progressToken;
  const answer = call.canAsk ? call.answer(APPROVE_KEY, Approve) : { state: 'missing' as const };
  const approval = answer.state === 'accepted' ? (answer.value.approve ? 'accepted' : 'declined') : answer.state === 'invalid' ? 'missing' : answer.state;
  return {
    canAsk: call.canAsk,
    approval,
    ...(token !== undefined
      ? { progress: (progress: number, total: number, message?: string) =>
          call.sdk.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total, ...(message ? { message } : {}) } }).catch(() => undefined) }
      : {}),
  };
}

/** Run a write through the gate and shape it as a tool result (or ask the person first, where the client can). */
export async function runWrite(gate: WriteGate, req: WriteRequest, call: ToolCall | undefined, signal: AbortSignal): Promise<ToolResult<WriteResult> | Asked> {
  const result = await gate.handle(req, gateCall(call), signal);
  if (result.status === 'approval_required') return call!.ask(APPROVE_KEY, result.question, Approve);
  return { structured: result, text: renderWrite(result, req.tool), isError: result.status === 'failed' };
}
