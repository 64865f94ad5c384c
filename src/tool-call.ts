import {
  CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY, acceptedContent, inputRequired, inputResponse, type ClientCapabilities, type ElicitRequestFormParams, type InputRequiredResult, type McpServer, type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

type ElicitSchema = ElicitRequestFormParams['requestedSchema'];

/** What a handler returns to ask the person before it goes on: an `input_required` result (see ToolCall.ask). */
export type Asked = InputRequiredResult;

/** How the person answered an earlier ask: accepted (with the validated answer), declined/cancelled, or not yet asked. */
export type Answer<T> = { state: 'accepted'; value: T } | { state: 'declined' | 'cancelled' | 'invalid' } | { state: 'missing' };

/**
 * What a tool handler may learn about the call beyond its arguments (the optional 4th handler parameter).
 * Written once, an ask serves both eras: on 2026-07-28 it is an `input_required` result the client answers by
 * calling again; on a 2025-11-25 session (stdio) the SDK's shim turns it into an elicitation request and re-enters
 * the handler with the answer. Stateless 2025 HTTP never saw an initialize, so there `canAsk` is false.
 */
export interface ToolCall {
  /** `modern` is 2026-07-28 (stateless, per request); `legacy` a 2025-era connection. */
  era: 'legacy' | 'modern';
  /** The protocol version this request speaks, when known. */
  protocolVersion?: string;
  /** What the client declared it can do (per request on 2026-07-28, at initialize on 2025-era). */
  clientCapabilities?: ClientCapabilities;
  /** True when asking the person can reach them: the client declared elicitation. */
  canAsk: boolean;
  /** The answer to `ask(key, …)` from the previous round, validated with the same schema. */
  answer<S extends z.ZodObject>(key: string, schema: S): Answer<z.infer<S>>;
  /** Ask the person (a flat form of primitives); return the result from the handler, which is called again with the answer. */
  ask(key: string, message: string, schema: z.ZodObject, requestState?: string): Asked;
  /** Opaque state echoed from the previous round; untrusted (the write gate signs what it puts there). */
  requestState(): string | undefined;
  /** The SDK's own request context, for anything not covered here. */
  sdk: ServerContext;
}

/** Build the ToolCall view of one request served by `server`. */
export function toolCall(server: McpServer, sdk: ServerContext): ToolCall {
  const envelope = (sdk.mcpReq.envelope ?? {}) as Record<string, unknown>;
  const modern = typeof envelope[PROTOCOL_VERSION_META_KEY] === 'string';
  // The per-request envelope is the 2026 source of truth; 2025-era clients said it once, at initialize.
  const clientCapabilities = modern ? (envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) : server.server.getClientCapabilities();
  const protocolVersion = modern ? (envelope[PROTOCOL_VERSION_META_KEY] as string) : server.server.getNegotiatedProtocolVersion();
  return {
    era: modern ? 'modern' : 'legacy',
    protocolVersion,
    clientCapabilities,
    canAsk: clientCapabilities?.elicitation !== undefined,
    answer(key, schema) {
      const view = inputResponse(sdk.mcpReq.inputResponses, key);
      if (view.kind !== 'elicit') return { state: 'missing' };
      if (view.action !== 'accept') return { state: view.action === 'decline' ? 'declined' : 'cancelled' };
      const value = acceptedContent(sdk.mcpReq.inputResponses, key, schema);
      return value === undefined ? { state: 'invalid' } : { state: 'accepted', value: value as z.infer<typeof schema> };
    },
    ask(key, message, schema, requestState) {
      return inputRequired({ inputRequests: { [key]: inputRequired.elicit({ message, requestedSchema: wireSchema(schema) }) }, ...(requestState ? { requestState } : {}) });
    },
    requestState: () => {
      const s = sdk.mcpReq.requestState();
      return typeof s === 'string' ? s : undefined;
    },
    sdk,
  };
}

/**
 * A flat zod object as MCP's restricted elicitation schema: `type`, `properties` and `required` only. The SDK's own
 * conversion keeps JSON Schema's `$schema` and `additionalProperties`, which that schema does not define and a strict
 * client may refuse.
 */
export function wireSchema(schema: z.ZodObject): ElicitSchema {
  const json = z.toJSONSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return { type: 'object', properties: (json.properties ?? {}) as ElicitSchema['properties'], ...(json.required?.length ? { required: json.required } : {}) };
}
