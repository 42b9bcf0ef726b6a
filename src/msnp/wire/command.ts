// One parsed MSNP command: a line of space-separated tokens, and for the verbs
// that carry one, the payload bytes that followed it (kept as raw bytes).

export interface Command {
  verb: string;
  /** Tokens after the verb (the transaction id, when the verb has one, is args[0]). */
  args: string[];
  payload?: Buffer;
}

/** The transaction id of a client command, or undefined if the first argument is not one. */
export function trid(cmd: Command): number | undefined {
  const t = cmd.args[0];
  if (t === undefined || !/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= 0xffffffff ? n : undefined;
}

export function formatCommand(verb: string, ...args: (string | number)[]): string {
  return args.length ? `${verb} ${args.join(' ')}` : verb;
}
