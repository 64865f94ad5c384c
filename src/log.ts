import pino, { type Logger } from 'pino';

const secrets = new Set<string>();

/** Remember a credential so it is scrubbed from every log line, error and tool result. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** Replace every registered credential (and its URL-encoded or Basic-auth form) in `text`. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
    const enc = encodeURIComponent(s);
    if (enc !== s && out.includes(enc)) out = out.split(enc).join('[redacted]');
  }
  // Unregistered credentials in an authorization header (never ordinary text such as "Basic onboarding").
  return out.replace(/(authorization["']?\s*[:=]\s*["']?(?:Basic|Bearer)\s+)[A-Za-z0-9+/=._-]{8,}/gi, '$1[redacted]');
}

const REDACT_PATHS = [
  '*.headers.authorization', '*.headers["x-clevertap-passcode"]', '*.headers["x-authorization"]',
  '*.headers["moe-appkey"]', '*.token', '*.passcode', '*.api_key', '*.apiKey', 'token', 'passcode',
];

/** pino on stderr (fd 2): stdout belongs to the protocol in stdio mode. */
export function createLogger(level = 'info'): Logger {
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
          return JSON.parse(redact(JSON.stringify(obj))) as Record<string, unknown>;
        },
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for tests and in-process tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
