import { setMaxListeners } from 'node:events';
import { deadlineSignal, joinSignals } from './deadline.js';
import { DeadlineError, InputError } from './errors.js';
import { MAX_CURSOR_CHARS } from './cursor.js';
import { redact, redactValue } from './log.js';
import type { ToolContext } from './tool.js';

/** What one tool call may cost: time, result size and input sizes. */
export interface Limits {
  /** Every call answers within this (listings with what answered and errors[] for the rest). */
  deadlineMs: number;
  /** Largest result (text plus structured content) sent back; SDK clients drop messages over 10 MB with the session. */
  maxResultBytes: number;
  /** Longest id-like input (id, account, cursor, query, ...): an id of 1 MB is refused, never echoed. */
  maxIdChars: number;
  /** Longest other text input (a message body). */
  maxTextChars: number;
  /** How long a finished account listing is reused by identical calls (0: only concurrent calls share). */
  listCacheMs: number;
}

/** The defaults: 45 s stays under the SDK clients' 60 s request timeout. */
export const DEFAULT_LIMITS: Limits = { deadlineMs: 45_000, maxResultBytes: 1_000_000, maxIdChars: 1_000, maxTextChars: 100_000, listCacheMs: 0 };

/** The limits in force for `ctx`. */
export function limitsOf(ctx: Pick<ToolContext, 'limits'>): Limits {
  return { ...DEFAULT_LIMITS, ...ctx.limits };
}

const TEXT_FIELDS = new Set(['body', 'title', 'subject', 'description', 'content']);

/** Refuse any string input over its length limit, naming the field and its length, never its value. */
export function checkInputSizes(args: unknown, limits: Limits, path = '', depth = 0): void {
  checkValue(args, limits, path, lastSegment(path).replace(/\[\d+\]$/, ''), depth);
}

/** `field` names what a string at `path` is (its key: `ids` for `recipients.ids[3]`), so its limit. */
function checkValue(value: unknown, limits: Limits, path: string, field: string, depth: number): void {
  if (typeof value === 'string') return checkLength(value, maxChars(field, limits), path);
  if (value === null || typeof value !== 'object') return;
  if (depth > 16) throw new InputError(`${path || 'the arguments'} nest too deeply`);
  if (Array.isArray(value)) {
    // An id list can hold thousands: its strings are checked in place, a path built only for the one refused.
    const inner = lastSegment(path);
    const max = maxChars(inner, limits);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') {
        if (v.length > max) checkLength(v, max, `${path}[${i}]`);
      } else checkValue(v, limits, `${path}[${i}]`, inner, depth + 1);
    }
  } else for (const [k, v] of Object.entries(value)) checkValue(v, limits, path ? `${path}.${k}` : k, k, depth + 1);
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function maxChars(field: string, limits: Limits): number {
  return TEXT_FIELDS.has(field) ? limits.maxTextChars : field === 'cursor' ? Math.max(limits.maxIdChars, MAX_CURSOR_CHARS) : limits.maxIdChars;
}

function checkLength(text: string, max: number, path: string): void {
  if (text.length > max) throw new InputError(`${path || 'an argument'} is ${text.length.toLocaleString('en')} characters long; at most ${max.toLocaleString('en')} are accepted`);
}

/**
 * Run one tool call within the limits: inputs checked, a deadline joined to the client's cancel signal,
 * and an answer by the deadline whatever the vendors do (a DeadlineError saying the real time waited).
 */
export async function runBounded<T>(ctx: Pick<ToolContext, 'limits'>, args: unknown, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const limits = limitsOf(ctx);
  checkInputSizes(args, limits);
  const started = performance.now();
  const deadline = deadlineSignal(limits.deadlineMs);
  let onExpired!: () => void;
  const expired = new Promise<never>((_, reject) => {
    onExpired = () => reject(new DeadlineError(limits.deadlineMs, performance.now() - started));
    deadline.addEventListener('abort', onExpired, { once: true });
  });
  expired.catch(() => undefined);
  try {
    const joined = joinSignals([signal, deadline]);
    setMaxListeners(0, joined); // each vendor request of an all-vendor call listens on it, queued ones included
    return await Promise.race([fn(joined), expired]);
  } finally {
    deadline.removeEventListener('abort', onExpired);
  }
}

/** The MCP result shape the server returns, without tying this module to one SDK version. */
export interface BoundedResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Redact values before they are serialized, and refuse a result over maxResultBytes with a clear message. */
export function boundedResult(ctx: Pick<ToolContext, 'limits'>, action: string, structured: object, text: string): BoundedResult {
  const { maxResultBytes } = limitsOf(ctx);
  const structuredContent = redactValue(structured) as Record<string, unknown>;
  const safeText = redact(text);
  const bytes = Buffer.byteLength(safeText) + Buffer.byteLength(JSON.stringify(structuredContent));
  if (bytes <= maxResultBytes) return { content: [{ type: 'text', text: safeText }], structuredContent };
  const mb = (n: number) => `${(n / 1_000_000).toFixed(1)} MB`;
  return {
    content: [{ type: 'text', text: `Could not ${action}: the result would be ${mb(bytes)}, more than the ${mb(maxResultBytes)} a result may carry. Ask for less: a smaller limit, raw: false, or narrower filters.` }],
    isError: true,
  };
}
