import { resolve } from 'node:path';
import { z } from 'zod';
import { ChannelSchema, ContentSchema, VendorIdSchema } from '../src/domain.js';
import { InputError } from '../src/errors.js';
import { confirmField, fileSha256, idTypeFromHeader, runWrite, writeOutput, type RecipientSource } from '../src/confirm.js';
import { accountField, defineTool, pickAdapter } from '../src/tool.js';
import { ID_TYPES, type IdType } from '../src/vendors/vendor.js';

/** Inline ids beyond this go in a recipients_file. */
const MAX_INLINE_IDS = 10_000;

/** Send a message to listed users, in the vendor's batch size, each batch journaled and reported. */
export default defineTool({
  name: 'send_to_users',
  title: 'Send a message to listed users',
  description:
    'Sends a message to specific users (by identity, email or phone) in the vendor\'s batch sizes. Call WITHOUT confirm first: the preview counts ' +
    'recipients after de-duplication and batches, nothing is sent. Then call again with the same arguments and confirm. The same confirm again ' +
    'resumes batches not sent and never resends batches of unknown outcome; resend_unknown: true previews a new send of exactly those. ' +
    'A recipients_file whose header names the id column (email, phone, identity, ...) needs no recipients.id_type. ' +
    'Altcraft needs campaign_id (an API-triggered mailing), MoEngage an Inform alert id.',
  kind: 'destructive',
  app: 'write-preview',
  action: 'send the message',
  available: (a) => (a.writer?.capabilities.send.channels.length ?? 0) > 0,
  inputSchema: {
    vendor: VendorIdSchema.describe('vendor to send through'),
    account: accountField,
    channel: ChannelSchema.describe('push, email, sms, ...'),
    recipients: z.object({
      ids: z.array(z.string().max(320)).min(1, { error: 'recipients.ids is empty' }).max(MAX_INLINE_IDS, { error: `more than ${MAX_INLINE_IDS} ids: put them in a recipients_file` }).optional()
        .describe(`user ids (at most ${MAX_INLINE_IDS}; more go in recipients_file)`),
      id_type: z.enum(ID_TYPES).describe('identity (your user id), email, phone; or a vendor kind: objectId (CleverTap), install_id (Batch), profile_id (Altcraft)'),
    }).optional().describe('who gets it: { ids, id_type }; with recipients_file give only id_type, or omit it when the file\'s header names the id column (email, phone, identity, ...)'),
    recipients_file: z.string().min(1).max(4096).optional().describe('path to a CSV with a header naming the id column (email, phone, identity, ...), or one id per line (then give recipients.id_type)'),
    content: ContentSchema.describe('push: title and body; email: subject and body; sms: body'),
    campaign_id: z.string().min(1).max(200).optional().describe('what the send goes through where the vendor needs it: Altcraft mailing (mailing-<id>), MoEngage Inform alert id'),
    resend_unknown: z.boolean().optional().describe('preview a new send of exactly the recipients whose batches had an unknown outcome in the latest send with these arguments'),
    confirm: confirmField,
  },
  outputSchema: writeOutput,
  async handler(args, ctx, signal, call) {
    if (!ctx.gate) throw new InputError('writes are disabled (read-only mode)');
    const adapter = pickAdapter(ctx, args.vendor, args.account);
    const ids = args.recipients?.ids;
    if (ids && args.recipients_file) throw new InputError('give recipients.ids or recipients_file, not both');
    if (!ids && !args.recipients_file) throw new InputError('give recipients.ids (with id_type) or recipients_file');
    const types = adapter.writer?.capabilities.send.id_types ?? [];
    const cannot = (t: string, why = '') => new InputError(`${adapter.vendor} cannot match id_type ${t}${why}; it takes ${types.join(', ')}`);
    const given = args.recipients?.id_type;
    if (given && !types.includes(given)) throw cannot(given);
    const path = ids ? undefined : resolve(args.recipients_file!);
    const sha256 = path === undefined ? undefined : await fileSha256(path);
    // Without recipients.id_type the file's header must name it; read after hashing, so the token binds what was read.
    const id_type = (given ?? await idTypeFromHeader(path!, ID_TYPES, types)) as IdType;
    if (!types.includes(id_type)) throw cannot(id_type, ' (named by the recipients_file header)');
    let source: RecipientSource;
    let bound: Record<string, unknown>;
    if (ids) {
      source = { kind: 'inline', ids };
      bound = { recipients: { ids, id_type } };
    } else {
      source = { kind: 'file', path: path!, sha256: sha256! };
      bound = { recipients: { id_type }, recipients_file: { path, sha256 } };
    }
    const input = { channel: args.channel, id_type, content: args.content, ...(args.campaign_id ? { campaign_id: args.campaign_id } : {}) };
    return runWrite(ctx.gate, {
      tool: 'send_to_users', adapter, args: { ...bound, ...input }, recipients: source, resendUnknown: args.resend_unknown,
      op: { kind: 'send', input, recipients: { count: 0, duplicates_removed: 0 } }, confirm: args.confirm,
    }, call, signal);
  },
});
