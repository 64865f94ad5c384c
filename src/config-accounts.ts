import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CLEVERTAP_REGIONS } from './vendors/common.js';

const MOENGAGE_DCS = ['01', '02', '03', '04', '05', '06', '101'] as const;

const url = z.url({ error: 'must be an http(s) URL, e.g. https://api.example.com' });
const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });
/**
 * A credential: sent in a header, so visible ASCII; and not a placeholder copied from an example (`…`, `<id>`,
 * `YOUR_KEY`, `${…}`), which would otherwise reach the vendor and come back as an unhelpful network or 401 error.
 * The value is never echoed: it may be a real secret with a typo.
 */
const PLACEHOLDER = /^(?:…+|\.{3,}|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|x{3,}|your[\s_-].*(?:key|id|token|passcode|password|secret|account|workspace)[\w\s-]*|changeme|change[_-]me|todo|tbd|placeholder|replace[_-]?me)$/i;
const credential = nonEmpty
  .refine((v) => !PLACEHOLDER.test(v), { error: 'looks like a placeholder left from an example (…, <…>, YOUR_…, ${…}): set the real value from the vendor dashboard' })
  .refine((v) => /^[\x20-\x7e]+$/.test(v), { error: 'must be printable ASCII (it is sent in an HTTP header): check for a pasted curly quote or ellipsis' });
const timezone = z.string().refine(isTimeZone, { error: 'must be an IANA time zone, e.g. Europe/Paris or Asia/Kolkata' });
const label = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, { error: 'account names are 1-40 letters, digits, dot, dash or underscore' });

const CleverTapAccount = z.strictObject({
  vendor: z.literal('clevertap'), name: label, accountId: credential, passcode: credential,
  region: z.enum(CLEVERTAP_REGIONS, { error: `must be one of ${CLEVERTAP_REGIONS.join(', ')}` }).optional(),
  baseUrl: url.optional(), timezone: timezone.optional(),
});
const MoEngageAccount = z.strictObject({
  vendor: z.literal('moengage'), name: label, workspaceId: credential, apiKey: credential,
  dataCenter: z.string().transform((s) => s.replace(/^(dc-?)/i, '').padStart(2, '0'))
    .pipe(z.enum(MOENGAGE_DCS, { error: `must be one of ${MOENGAGE_DCS.join(', ')}` })).optional(),
  baseUrl: url.optional(), timezone: timezone.optional(),
  createdBy: z.email({ error: 'must be the email of the MoEngage dashboard user recorded as creator' }).optional(),
});
const BatchAccount = z.strictObject({
  vendor: z.literal('batch'), name: label, apiKey: credential, restApiKey: credential, baseUrl: url.optional(), timezone: timezone.optional(),
});
const AltcraftAccount = z.strictObject({
  vendor: z.literal('altcraft'), name: label, token: credential, baseUrl: url.optional(), timezone: timezone.optional(),
});

/** One configured vendor account with its credentials; strict, so a misspelt key (`timeZone`, `baseURL`) is an error, not silently the default. */
export const AccountSchema = z.discriminatedUnion('vendor', [CleverTapAccount, MoEngageAccount, BatchAccount, AltcraftAccount]);
export type AccountConfig = z.infer<typeof AccountSchema>;

/** Accounts from a --config file; `fail` words a problem as the caller's ConfigError. */
export function accountsFromFile(path: string, fail: (message: string) => Error): AccountConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fail(`--config ${path}: ${err instanceof SyntaxError ? 'not valid JSON' : 'cannot be read'} (${(err as Error).message})`);
  }
  const FileSchema = z.object({ accounts: z.array(AccountSchema).min(1) });
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw fail(`--config ${path}: ${unknownKeys(json, issue.path, issue.keys)}`);
    throw fail(`--config ${path}: ${issue.path.join('.') || 'file'}: ${issue.message}. Expected {"accounts":[{"vendor":"clevertap","name":"india","accountId":"…","passcode":"…","region":"in1"}, …]}`);
  }
  const seen = new Set<string>();
  for (const a of parsed.data.accounts) {
    const key = `${a.vendor}/${a.name}`;
    if (seen.has(key)) throw fail(`--config ${path}: two ${a.vendor} accounts are named "${a.name}"; names must differ`);
    seen.add(key);
  }
  return parsed.data.accounts;
}

const ACCOUNT_KEYS: Record<AccountConfig['vendor'], string[]> = {
  clevertap: Object.keys(CleverTapAccount.shape), moengage: Object.keys(MoEngageAccount.shape),
  batch: Object.keys(BatchAccount.shape), altcraft: Object.keys(AltcraftAccount.shape),
};

/** "accounts.0 (clevertap "india") has no "timeZone"; it takes vendor, name, ...": the keys it refused and the ones it takes. */
function unknownKeys(json: unknown, path: PropertyKey[], keys: string[]): string {
  const at = path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k], json) as { vendor?: string; name?: unknown } | undefined;
  const takes = at?.vendor ? ACCOUNT_KEYS[at.vendor as AccountConfig['vendor']] : undefined;
  const which = at?.vendor ? ` (${at.vendor}${typeof at.name === 'string' ? ` "${at.name}"` : ''})` : '';
  return `${path.join('.') || 'file'}${which} has no ${keys.map((k) => `"${k}"`).join(', ')}${takes ? `; it takes ${takes.join(', ')}` : ''}`;
}

/** True for a time zone name this runtime knows (IANA, e.g. "Asia/Kolkata", or "UTC"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}
