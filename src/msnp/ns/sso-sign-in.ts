// Reading `USR t SSO S <ticket> <response> [machine-guid]` (MSNP15+) for the
// SSO sign-in (USR.ts, MSNP15-18). The check
// itself is core.serviceTokens.verifySsoSignIn (services.md §3.3).
import { normaliseGuid } from '../endpoint-guid.js';

export interface SsoSignInArgs {
  /** `t=…&p=…` of the messengerclear.live.com token. */
  ticket: string;
  /** base64 of the 128-byte MBI blob. */
  response: string;
  /** MSNP16+: the client's machine GUID, normalised to `{lower-case}`. */
  machineGuid: string | undefined;
}

/** The arguments after `USR t SSO S`; undefined when they are not a ticket, a response and at most a GUID. */
export function parseSsoSignIn(args: readonly string[]): SsoSignInArgs | undefined {
  if (args.length < 2 || args.length > 3) return undefined;
  const [ticket, response, guid] = args as [string, string, string | undefined];
  if (!/(?:^|&)t=[^&]+/.test(ticket)) return undefined;
  const machineGuid = guid === undefined ? undefined : normaliseGuid(guid);
  if (guid !== undefined && machineGuid === undefined) return undefined;
  return { ticket, response, machineGuid };
}
