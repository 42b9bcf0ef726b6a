// Reading `USR t SSO S <ticket> <response> [machine-guid]` (MSNP15+) for the
// SSO sign-in (USR.ts, MSNP15 behind MSNPD_EXPERIMENTAL_MSNP13). The check
// itself is core.serviceTokens.verifySsoSignIn (services.md §3.3).

export interface SsoSignInArgs {
  /** `t=…&p=…` of the messengerclear.live.com token. */
  ticket: string;
  /** base64 of the 128-byte MBI blob. */
  response: string;
  /** MSNP16+: the client's machine GUID, normalised to `{lower-case}`. */
  machineGuid: string | undefined;
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** A machine GUID with or without braces, in any case, as `{lower-case}`; undefined if it is none. */
export function normaliseMachineGuid(s: string): string | undefined {
  const m = GUID.exec(s);
  // COMPAT: Pidgin 2.11 sends it upper case without braces, MSNPSharp 3.2.1 lower case with them (client-quirks.md).
  return m && (s.startsWith('{') === s.endsWith('}')) ? `{${m[1]!.toLowerCase()}}` : undefined;
}

/** The arguments after `USR t SSO S`; undefined when they are not a ticket, a response and at most a GUID. */
export function parseSsoSignIn(args: readonly string[]): SsoSignInArgs | undefined {
  if (args.length < 2 || args.length > 3) return undefined;
  const [ticket, response, guid] = args as [string, string, string | undefined];
  if (!/(?:^|&)t=[^&]+/.test(ticket)) return undefined;
  const machineGuid = guid === undefined ? undefined : normaliseMachineGuid(guid);
  if (guid !== undefined && machineGuid === undefined) return undefined;
  return { ticket, response, machineGuid };
}
