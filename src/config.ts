import { AccountSchema, accountsFromFile, isTimeZone, type AccountConfig } from './config-accounts.js';
import { writeConfig, type WriteConfig } from './config-writes.js';
import { registerSecret } from './log.js';

export { AccountSchema, isTimeZone, type AccountConfig } from './config-accounts.js';

/** A misconfiguration, worded for the person who set it (names the variable or flag); never a stack trace. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Everything the server needs, parsed once at start-up. */
export interface Config {
  transport: 'stdio' | 'http';
  host: string;
  port: number;
  readOnly: boolean;
  sandbox: boolean;
  httpToken?: string;
  logLevel: string;
  accounts: AccountConfig[];
  /** `<VENDOR>_TIMEZONE` of each vendor that sets one, credentials or not: --sandbox gives its accounts these zones. */
  zones: Partial<Record<AccountConfig['vendor'], string>>;
  writes: WriteConfig;
  /** Each call's deadline, the largest vendor body read, how long a finished listing is reused (CAMPAIGN_MCP_DEADLINE_S, _MAX_BODY_MB, _LIST_CACHE_S). */
  limits: { deadlineMs: number; maxBodyBytes: number; listCacheMs: number };
}

/** Environment variables per vendor: field name -> variable. The first entry's presence enables the vendor. */
export const ENV: Record<AccountConfig['vendor'], Record<string, string>> = {
  clevertap: { accountId: 'CLEVERTAP_ACCOUNT_ID', passcode: 'CLEVERTAP_PASSCODE', region: 'CLEVERTAP_REGION', baseUrl: 'CLEVERTAP_BASE_URL', timezone: 'CLEVERTAP_TIMEZONE' },
  moengage: { workspaceId: 'MOENGAGE_WORKSPACE_ID', apiKey: 'MOENGAGE_API_KEY', dataCenter: 'MOENGAGE_DATA_CENTER', baseUrl: 'MOENGAGE_BASE_URL', timezone: 'MOENGAGE_TIMEZONE', createdBy: 'MOENGAGE_CREATED_BY' },
  batch: { apiKey: 'BATCH_API_KEY', restApiKey: 'BATCH_REST_API_KEY', baseUrl: 'BATCH_BASE_URL', timezone: 'BATCH_TIMEZONE' },
  altcraft: { token: 'ALTCRAFT_API_TOKEN', baseUrl: 'ALTCRAFT_BASE_URL', timezone: 'ALTCRAFT_TIMEZONE' },
};
export const SECRET_FIELDS = ['passcode', 'apiKey', 'restApiKey', 'token'];

export interface ParsedArgs {
  command: 'serve' | 'tools' | 'call' | 'help' | 'version';
  toolName?: string;
  toolArgs?: string;
  flags: { sandbox: boolean; readOnly: boolean; http: boolean; all?: boolean; host?: string; port?: number; config?: string; logLevel?: string; dataDir?: string };
}

/** Parse argv (without node and script): subcommand, its operands, and flags. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags: ParsedArgs['flags'] = { sandbox: false, readOnly: false, http: false };
  const rest: string[] = [];
  if (argv.some((a) => a === '--help' || a === '-h')) return { command: 'help', flags };
  if (argv.some((a) => a === '--version' || a === '-v')) return { command: 'version', flags };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [name, inline] = a.startsWith('--') ? (a.split(/=(.*)/s, 2) as [string, string | undefined]) : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(`${name} needs a value`);
      return v;
    };
    // `--sandbox=false` too: an MCP Bundle host passes a boolean setting as "true" or "false".
    const on = () => {
      if (inline === undefined || inline === 'true') return true;
      if (inline === 'false') return false;
      throw new ConfigError(`${name} takes no value, or =true / =false`);
    };
    switch (name) {
      case '--sandbox': flags.sandbox = on(); break;
      case '--read-only': flags.readOnly = on(); break;
      case '--http': flags.http = on(); break;
      case '--all': flags.all = on(); break;
      case '--host': flags.host = value(); break;
      case '--port': {
        const p = Number(value());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new ConfigError('--port must be an integer 0-65535 (0 picks a free port)');
        flags.port = p;
        break;
      }
      case '--config': flags.config = value(); break;
      case '--log-level': flags.logLevel = value(); break;
      case '--data-dir': flags.dataDir = value(); break;
      default:
        if (a.startsWith('--')) throw new ConfigError(`unknown flag ${name}; known: --sandbox --read-only --http --host --port --config --data-dir --log-level --all --help --version`);
        rest.push(a);
    }
  }
  const [cmd, toolName, toolArgs] = rest;
  if (cmd === undefined) return { command: 'serve', flags };
  if (cmd === 'help') return { command: 'help', flags };
  if (cmd === 'tools') return { command: 'tools', flags };
  if (cmd === 'call') {
    if (!toolName) throw new ConfigError("usage: campaign-mcp call <tool> '<json arguments>'");
    return { command: 'call', toolName, toolArgs: toolArgs ?? '{}', flags };
  }
  throw new ConfigError(`unknown command "${cmd}"; use: campaign-mcp [tools | call <tool> '<json>'] [flags], or campaign-mcp --help`);
}

/** Build the configuration from flags, environment and an optional JSON file. */
export function loadConfig(args: ParsedArgs['flags'], env: NodeJS.ProcessEnv = process.env): Config {
  const readOnlyEnv = (env.CAMPAIGN_MCP_READ_ONLY ?? '').toLowerCase();
  if (readOnlyEnv && !['1', 'true', 'yes', '0', 'false', 'no'].includes(readOnlyEnv)) {
    throw new ConfigError('CAMPAIGN_MCP_READ_ONLY must be true or false');
  }
  const accounts = args.config ? accountsFromFile(args.config, (m) => new ConfigError(m)) : [];
  for (const a of accountsFromEnv(env)) {
    if (accounts.some((b) => b.vendor === a.vendor && b.name === a.name)) {
      throw new ConfigError(`${a.vendor} account "default" is defined both in ${args.config} and in the environment; keep one`);
    }
    accounts.push(a);
  }
  for (const a of accounts) for (const f of SECRET_FIELDS) registerSecret((a as Record<string, unknown>)[f] as string | undefined);
  const httpToken = env.CAMPAIGN_MCP_HTTP_TOKEN || undefined;
  registerSecret(httpToken);
  const writes = writeConfig(args, env, (m) => new ConfigError(m));
  registerSecret(writes.secret);
  return {
    writes,
    transport: args.http ? 'http' : 'stdio',
    // `[::1]`, as a URL writes an IPv6 address, is the address ::1 to bind.
    host: args.host?.replace(/^\[(.*)\]$/, '$1') ?? '127.0.0.1',
    port: args.port ?? 3000,
    readOnly: args.readOnly || ['1', 'true', 'yes'].includes(readOnlyEnv),
    sandbox: args.sandbox,
    httpToken,
    logLevel: logLevel(args.logLevel, env.LOG_LEVEL),
    accounts,
    zones: zonesFromEnv(env),
    limits: {
      deadlineMs: positive(env, 'CAMPAIGN_MCP_DEADLINE_S', 45, 0.5, 600) * 1000,
      maxBodyBytes: Math.round(positive(env, 'CAMPAIGN_MCP_MAX_BODY_MB', 16, 0.001, 1024) * 1024 * 1024),
      listCacheMs: positive(env, 'CAMPAIGN_MCP_LIST_CACHE_S', 0, 0, 300) * 1000,
    },
  };
}

/** pino's levels; anything else would make pino throw at start with a message that names neither the flag nor the variable. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** --log-level wins over LOG_LEVEL; an empty LOG_LEVEL (an unset template variable) is the default, info. */
function logLevel(flag: string | undefined, variable: string | undefined): string {
  const raw = flag ?? (variable?.trim() || 'info');
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`${flag !== undefined ? '--log-level' : 'LOG_LEVEL'} must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")`);
  }
  return level;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${name} must be a number from ${min} to ${max} (default ${fallback})`);
  return n;
}

function accountsFromEnv(env: NodeJS.ProcessEnv): AccountConfig[] {
  const out: AccountConfig[] = [];
  for (const [vendor, vars] of Object.entries(ENV) as Array<[AccountConfig['vendor'], Record<string, string>]>) {
    // A time zone (or MoEngage's creator email) alone does not enable a vendor: credentials do.
    const present = Object.entries(vars).filter(([f, v]) => f !== 'timezone' && f !== 'createdBy' && env[v]).map(([, v]) => v);
    if (present.length === 0) continue;
    const raw: Record<string, unknown> = { vendor, name: 'default' };
    for (const [field, variable] of Object.entries(vars)) if (env[variable]) raw[field] = env[variable];
    const parsed = AccountSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const variable = vars[String(issue.path[0])] ?? String(issue.path[0]);
      const missing = issue.code === 'invalid_type' && raw[String(issue.path[0])] === undefined;
      throw new ConfigError(
        missing
          ? `${variable} is not set, but ${present.join(', ')} is: set ${variable} to enable ${vendor}, or unset the others`
          : `${variable} ${issue.message}`,
      );
    }
    out.push(parsed.data);
  }
  return out;
}

/** Each vendor's `<VENDOR>_TIMEZONE`, checked like an account's (a typo is an error, not UTC). */
function zonesFromEnv(env: NodeJS.ProcessEnv): Config['zones'] {
  const zones: Config['zones'] = {};
  for (const [vendor, vars] of Object.entries(ENV) as Array<[AccountConfig['vendor'], Record<string, string>]>) {
    const zone = env[vars.timezone!];
    if (!zone) continue;
    if (!isTimeZone(zone)) throw new ConfigError(`${vars.timezone} must be an IANA time zone, e.g. Europe/Paris or Asia/Kolkata`);
    zones[vendor] = zone;
  }
  return zones;
}
