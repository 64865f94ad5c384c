import { argsHash } from './tokens.js';
import type { WriteRequest } from './gate-types.js';

/**
 * The canonical hash a token binds: the tool, the account (its label and the project it reaches) and the exact
 * arguments (a file by its content hash).
 */
export function hashOf(req: WriteRequest, args: WriteRequest['args'], sandbox?: boolean, resend = req.resendUnknown, legacy = false): string {
  return argsHash({
    tool: req.tool, vendor: req.adapter.vendor, account: req.adapter.account, project: legacy ? undefined : projectOf(req, sandbox), ...args,
    resend_unknown: resend || undefined, sandbox: sandbox || undefined,
  });
}

/**
 * The project a write reaches, none on the sandbox: its simulators listen on ports of each process's own (a server
 * and a terminal `call` share its writes), and `sandbox` in the hash keeps them apart from real accounts'.
 */
export function projectOf(req: WriteRequest, sandbox?: boolean): string | undefined {
  return sandbox ? undefined : req.adapter.project;
}
