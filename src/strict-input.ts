import type { StandardSchemaV1, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';

type Def = Record<string, unknown> & { type: string; error?: (iss: z.core.$ZodRawIssue) => unknown };
type Issue = StandardSchemaV1.Issue & { code?: string; keys?: string[] };

/** Where an object sits in the arguments, as a person writes it: `audience.profile[0]`. */
function where(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** An object that refuses unknown keys, naming them and the keys it takes (the tool's arguments at the top). */
function strictObject(schema: z.ZodObject, tool: string, top: boolean): z.ZodType {
  const def = schema._zod.def as unknown as Def;
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([k, v]) => [k, strictDeep(v as z.ZodType, tool)]));
  const keys = Object.keys(shape);
  const own = def.error;
  const error = (iss: z.core.$ZodRawIssue) => {
    if (iss.code !== 'unrecognized_keys') return own?.(iss);
    const names = iss.keys.map((k) => `"${k}"`).join(', ');
    const path = iss.path ?? [];
    if (top && path.length === 0) {
      const args = keys.map((k) => (shape[k]!._zod.optin === 'optional' ? `${k}?` : k)).join(', ') || 'none';
      return `${tool} has no argument ${names}; its arguments: ${args}`;
    }
    return `${where(path)} has no ${names}; it takes ${keys.join(', ')}`;
  };
  return carry(schema, schema.clone({ ...def, shape, catchall: z.never(), error } as never));
}

/** Rebuild the wrappers whose inner schema changed; every other schema is kept as it is. */
function strictDeep(schema: z.ZodType, tool: string, top = false): z.ZodType {
  const def = schema._zod.def as unknown as Def;
  const inner = (key: string) => {
    const was = def[key] as z.ZodType;
    const now = strictDeep(was, tool);
    return now === was ? schema : carry(schema, schema.clone({ ...def, [key]: now } as never));
  };
  switch (def.type) {
    case 'object':
      return strictObject(schema as z.ZodObject, tool, top);
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'nonoptional': case 'readonly': case 'catch':
      return inner('innerType');
    case 'array':
      return inner('element');
    case 'record':
      return inner('valueType');
    case 'pipe':
      return carry(schema, schema.clone({ ...def, in: strictDeep(def.in as z.ZodType, tool), out: strictDeep(def.out as z.ZodType, tool) } as never));
    case 'union': {
      const options = (def.options as z.ZodType[]).map((o) => strictDeep(o, tool));
      return options.every((o, i) => o === (def.options as z.ZodType[])[i]) ? schema : carry(schema, schema.clone({ ...def, options } as never));
    }
    default:
      return schema;
  }
}

/** A rebuilt schema keeps its source's description and metadata (a clone with a new def does not inherit them). */
function carry<T extends z.ZodType>(from: z.ZodType, to: T): T {
  const meta = z.globalRegistry.get(from);
  if (meta) z.globalRegistry.add(to, meta);
  return to;
}

/** The issue with its path folded into the message, so the SDK's "path: message" does not say the path twice. */
function unpathed(result: StandardSchemaV1.Result<unknown>): StandardSchemaV1.Result<unknown> {
  if (!result.issues) return result;
  return { issues: result.issues.map((i: Issue) => (i.code === 'unrecognized_keys' ? { message: i.message } : i)) };
}

/**
 * A tool's input as the server registers it: every object in it, top level and nested (audience, event, profile
 * items, content, recipients), refuses a key it does not know, so nothing a model sends is silently dropped
 * (DESIGN). The refusal names the unknown key and the accepted ones; the advertised JSON Schema says
 * `additionalProperties: false`. Types, defaults and every other message are those of the tool's own schema.
 */
export function strictInput(tool: string, shape: z.ZodRawShape): StandardSchemaWithJSON<Record<string, unknown>> {
  const schema = strictDeep(z.object(shape), tool, true);
  const std = schema['~standard'] as StandardSchemaWithJSON<Record<string, unknown>>['~standard'];
  return {
    '~standard': {
      ...std,
      validate: (value, options) => {
        const r = std.validate(value, options);
        return r instanceof Promise ? r.then(unpathed) : unpathed(r);
      },
    } as StandardSchemaWithJSON<Record<string, unknown>>['~standard'],
  };
}
