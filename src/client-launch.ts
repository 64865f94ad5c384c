import { resolve } from 'node:path';
import { ENV, SECRET_FIELDS, type ParsedArgs } from './config.js';

/** Server variables a client-started stdio instance reads as this one does (not the HTTP token: it is the HTTP server's). */
const SERVER_ENV = [
  'CAMPAIGN_MCP_READ_ONLY', 'CAMPAIGN_MCP_DATA_DIR', 'CAMPAIGN_MCP_SECRET', 'CAMPAIGN_MCP_REDIS_URL', 'CAMPAIGN_MCP_CONFIRM', 'CAMPAIGN_MCP_CONFIRM_TTL_SECONDS',
  'CAMPAIGN_MCP_MAX_RECIPIENTS', 'CAMPAIGN_MCP_WRITE_VENDORS', 'CAMPAIGN_MCP_DEADLINE_S', 'CAMPAIGN_MCP_MAX_BODY_MB', 'CAMPAIGN_MCP_LIST_CACHE_S', 'LOG_LEVEL',
  // The default data directory follows it: the same journal and secret.
  'XDG_STATE_HOME',
];
/** The signing key, and a Redis URL (it may carry a password). */
const SECRET_SERVER_ENV = new Set(['CAMPAIGN_MCP_SECRET', 'CAMPAIGN_MCP_REDIS_URL']);

/** How a client starts this same server over stdio: its flags, paths made absolute, and the variables it reads. */
export interface StdioLaunch {
  args: string[];
  /** Set variables that are not secret, with their values. */
  env: Record<string, string>;
  /** Set variables that are secret: by name only, never their values. */
  secrets: string[];
}

/**
 * What a client-started stdio instance needs to be the server running now: clients start servers with their own
 * environment, not the shell's (README, "client env"), so the variables go in the client's configuration.
 */
export function stdioLaunch(flags: ParsedArgs['flags'], env: NodeJS.ProcessEnv, cwd = process.cwd()): StdioLaunch {
  const args: string[] = [];
  if (flags.sandbox) args.push('--sandbox');
  if (flags.readOnly) args.push('--read-only');
  if (flags.config) args.push('--config', resolve(cwd, flags.config));
  if (flags.dataDir) args.push('--data-dir', resolve(cwd, flags.dataDir));
  if (flags.logLevel) args.push('--log-level', flags.logLevel);
  // On the sandbox the simulators stand in for every vendor: their variables would not be read.
  const vendorVars = flags.sandbox ? [] : Object.values(ENV).flatMap((vars) => Object.entries(vars).map(([field, name]) => ({ name, secret: SECRET_FIELDS.includes(field) })));
  const all = [...vendorVars, ...SERVER_ENV.map((name) => ({ name, secret: SECRET_SERVER_ENV.has(name) }))];
  const out: StdioLaunch = { args, env: {}, secrets: [] };
  for (const { name, secret } of all) {
    const value = env[name];
    if (!value) continue;
    // A URL with user:password@ in it (a proxy's *_BASE_URL, a Redis URL) is a secret too.
    if (secret || /^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(value)) out.secrets.push(name);
    else out.env[name] = name === 'CAMPAIGN_MCP_DATA_DIR' ? resolve(cwd, value) : value;
  }
  return out;
}
