import pino, { type Logger } from 'pino';

const secrets = new Set<string>();
/** Every encoded form of every secret, longest first, so a longer form is never half-replaced by a shorter one. */
let forms: string[] = [];

/** Remember a credential so it is scrubbed from every log line, error and tool result. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4 || secrets.has(value)) return;
  secrets.add(value);
  const json = JSON.stringify(value).slice(1, -1);
  const all = new Set([...forms, value, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+')]);
  forms = [...all].sort((a, b) => b.length - a.length);
}

/**
 * Replace every registered credential in `text`: raw, JSON-escaped (once and twice, for JSON inside JSON),
 * URL-encoded. Prefer redactValue for objects: it scrubs values before they are serialized.
 */
export function redact(text: string): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join('[redacted]');
  // Unregistered credentials in an authorization header (never ordinary text such as "Basic onboarding").
  return out.replace(/(authorization["']?\s*[:=]\s*["']?(?:Basic|Bearer)\s+)[A-Za-z0-9+/=._-]{8,}/gi, '$1[redacted]');
}

/** A copy of `value` with every string redacted (errors become {type, message, stack}): safe to serialize in any encoding. */
export function redactValue<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (value instanceof Error) {
    return { type: value.name, message: redact(value.message), ...(value.stack ? { stack: redact(value.stack) } : {}) } as T;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redact(k)] = redactValue(v, depth + 1);
  return out as T;
}

const REDACT_PATHS = [
  '*.headers.authorization', '*.headers["x-clevertap-passcode"]', '*.headers["x-authorization"]',
  '*.headers["moe-appkey"]', '*.token', '*.passcode', '*.api_key', '*.apiKey', 'token', 'passcode',
];

/** pino on stderr (fd 2), or on `to` (a terminal command run in-process): stdout belongs to the protocol in stdio mode. */
export function createLogger(level = 'info', to?: { write(line: string): unknown }): Logger {
  return pino(
    {
      level,
      base: { name: 'campaign-mcp' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>,
          );
        },
      },
      formatters: {
        log(obj) {
          return redactValue(obj);
        },
      },
    },
    to ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for tests and in-process tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
