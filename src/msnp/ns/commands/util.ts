// Small pieces the notification-server commands share.
import { CoreError, type CoreErrorKind } from '../../../core/errors.js';
import { isValidEmail, normaliseEmail } from '../../../core/email.js';
import type { Command } from '../../wire/command.js';
import { trid } from '../../wire/command.js';
import { ProtocolError, type CommandSpec } from '../../session.js';
import { errorCode } from '../errors.js';
import type { NsSession, NsState } from '../session.js';

export type NsCommand = CommandSpec<NsSession>;

/** Versions this server speaks, for commands that exist in all of them. */
export const ALL: readonly [number, number] = [2, 12];
/** The newest version (MSNP18; MSNP13-18 are not offered with MSNPD_MSNP13=off). */
export const NEWEST = 18;

/** `<verb> t <version> ` in MSNP2-9 replies, `<verb> t ` from MSNP10 (lists carry no versions there). */
export function replyHead(s: NsSession, verb: string, trid: number, version: number): string {
  return s.v.versionInReplies ? `${verb} ${trid} ${version}` : `${verb} ${trid}`;
}

export const SIGNED_IN: readonly NsState[] = ['online'];
/** Error 302 (not logged in) for commands that need a signed-in user. */
export const NOT_LOGGED_IN = 302;

/** The transaction id, or error 201 when it is missing or not a number. */
export function tridOf(cmd: Command): number {
  const t = trid(cmd);
  if (t === undefined) throw new ProtocolError(201);
  return t;
}

/** At least `n` arguments after the verb (the transaction id counts), else 201. */
export function needArgs(cmd: Command, n: number): void {
  if (cmd.args.length < n) throw new ProtocolError(201);
}

/** A well-formed address argument, normalised; 201 otherwise. */
export function emailArg(s: string | undefined): string {
  if (s === undefined) throw new ProtocolError(201);
  const e = normaliseEmail(s);
  if (!isValidEmail(e)) throw new ProtocolError(201);
  return e;
}

/** Runs a core call, turning its refusals into the version's error code (or a command's own). */
export async function core<T>(s: NsSession, fn: () => Promise<T>, own: Partial<Record<CoreErrorKind, number>> = {}): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CoreError) throw new ProtocolError(own[e.kind] ?? errorCode(e.kind, s.version));
    throw e;
  }
}

/** The signed-in account (commands registered for the online state only). */
export function me(s: NsSession): { id: number; email: string } {
  if (!s.account) throw new ProtocolError(NOT_LOGGED_IN);
  return s.account;
}

/** Byte length of a token as sent (names are limited in encoded bytes). */
export function encodedLength(token: string): number {
  return Buffer.byteLength(token, 'utf8');
}

type SignedInHandler = (s: NsSession, cmd: Command, trid: number) => void | Promise<void>;

/**
 * A command for a signed-in user: its table entry (the versions it serves;
 * 302 before sign-in) and the preamble every such command repeats, a
 * transaction id and at least `minArgs` arguments (the id counts), else 201.
 */
export function signedIn(verb: string, versions: readonly [number, number], minArgs: number, handle: SignedInHandler): NsCommand {
  return {
    verb,
    versions,
    states: SIGNED_IN,
    outOfState: NOT_LOGGED_IN,
    handle(s, cmd) {
      const t = tridOf(cmd);
      needArgs(cmd, minArgs);
      return handle(s, cmd, t);
    },
  };
}
