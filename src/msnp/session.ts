// The part every MSNP session shares, whatever the server: framing, one
// command at a time in arrival order, the dispatch table lookup (verb, version,
// state), error replies, and closing. Notification and switchboard sessions
// extend it with their own state and commands.
import type { Logger } from '../log.js';
import { trid, type Command } from './wire/command.js';
import { Framer, type FramerOptions, type FramingError } from './wire/framer.js';
import { MSNP_VERBS } from './wire/verbs.js';
import type { Transport } from '../net/transport.js';
import { Deadline, type DeadlineHeap, type DeadlineTarget } from '../core/deadline-heap.js';

/** A handler for one verb, valid in some versions and session states. */
export interface CommandSpec<S> {
  verb: string;
  /** Lowest and highest MSNP version the handler serves (inclusive). */
  versions: readonly [number, number];
  states: readonly string[];
  /** Sent in another state: reply with this error code, or close the connection. */
  outOfState: number | 'close';
  handle(session: S, cmd: Command): void | Promise<void>;
}

export class CommandTable<S> {
  private readonly byVerb = new Map<string, CommandSpec<S>[]>();

  constructor(specs: readonly CommandSpec<S>[]) {
    for (const s of specs) {
      let l = this.byVerb.get(s.verb);
      if (!l) this.byVerb.set(s.verb, (l = []));
      l.push(s);
    }
  }

  /** The handler for this verb and version; with version 0 (not negotiated yet), any handler of the verb. */
  find(verb: string, version: number): CommandSpec<S> | undefined {
    const l = this.byVerb.get(verb);
    if (!l) return undefined;
    if (version === 0) return l[0];
    return l.find((s) => version >= s.versions[0] && version <= s.versions[1]);
  }

  has(verb: string): boolean {
    return this.byVerb.has(verb);
  }
}

/** Thrown by a handler to answer `<code> <trid>` and carry on. */
export class ProtocolError extends Error {
  constructor(readonly code: number, readonly closeAfter = false) {
    super(`MSNP error ${code}`);
  }
}

/** Thrown by a handler when the only right answer is to drop the connection. */
export class CloseConnection extends Error {
  constructor(reason: string) {
    super(reason);
  }
}

export interface SessionLimits {
  framer: FramerOptions;
  /** Bytes read ahead while a command is being handled; beyond it the connection stops reading. */
  maxReadAhead: number;
  /** Bytes queued for a slow reader before the connection is dropped. */
  maxWriteBuffer: number;
  /** Commands per second a connection may send on average (0 = no limit)... */
  commandsPerSecond: number;
  /** ...and in a burst; beyond it the connection is closed as a flood (or paced, see `overRate`). */
  commandBurst: number;
  /**
   * Beyond the rate: `close` the connection as a flood, or `pace` it (read
   * nothing more until the bucket has a token again). Paced connections are
   * closed only for an error flood: more error replies than a tenth of the
   * burst, refilled at a tenth of the rate.
   */
  overRate?: 'close' | 'pace';
  /** Milliseconds a command may take to arrive in full (slow senders). */
  partialTimeoutMs: number;
}

function finish(s: { finished(): void }): void {
  s.finished();
}

function releaseHeld(s: { releaseHeld(): void }): void {
  s.releaseHeld();
}

/** Error replies a paced connection may draw in a burst. */
function errorBurst(l: SessionLimits): number {
  return Math.max(1, Math.floor(l.commandBurst / 10));
}

export abstract class MsnpSession<S extends MsnpSession<S>> implements DeadlineTarget {
  version = 0;
  state: string;
  closed = false;
  /** Last time the client sent anything (ms). */
  lastActivity: number;
  readonly connectedAt: number;
  private readonly framer: Framer;
  /** A handler is running; the framer is paused until it finishes. */
  private busy = false;
  private readPaused = false;
  /** Since when part of a command has been waiting for the rest (slow senders). */
  private partialSince = 0;
  /** Token bucket for the command rate. */
  private tokens: number;
  private tokensAt: number;
  /** Paced: the command waiting for a token, and the timer that brings it back. */
  private held: Command | undefined;
  private paceTimer: NodeJS.Timeout | undefined;
  /** Paced connections: token bucket for error replies. */
  private errorTokens: number;
  private errorTokensAt: number;
  /**
   * This session's one entry in the shared deadline heap: due no later than
   * the earliest of its deadlines (sign-in, idle, partial command, challenge).
   * Deadlines that move later (activity) are not chased: the entry fires
   * early, finds nothing due and is set again.
   */
  private readonly checks: Deadline;

  protected constructor(
    readonly transport: Transport,
    private readonly table: CommandTable<S>,
    protected readonly limits: SessionLimits,
    readonly log: Logger,
    initialState: string,
    now: number,
    private readonly timers: DeadlineHeap,
  ) {
    this.state = initialState;
    this.lastActivity = now;
    this.connectedAt = now;
    this.tokens = limits.commandBurst;
    this.tokensAt = now;
    this.errorTokens = errorBurst(limits);
    this.errorTokensAt = now;
    this.framer = new Framer(limits.framer, this);
    this.checks = new Deadline(this);
  }

  /** Deadline checks (sign-in, idle, challenges, slow senders); run when the session's deadline is due. */
  abstract tick(now: number): void;

  /** The earliest time tick() may have something to do, for this server's checks; undefined: never. */
  protected abstract nextCheckAt(): number | undefined;

  /** @internal The session's deadline is due (the shared heap calls this). */
  onDeadline(now: number): void {
    this.tick(now);
    if (!this.closed) this.rearm();
  }

  /** Sets the session's deadline from its state (call after construction and state changes). */
  protected rearm(): void {
    if (this.closed) return;
    let at = this.nextCheckAt();
    if (this.partialSince !== 0) {
      const p = this.partialSince + this.limits.partialTimeoutMs + 1;
      if (at === undefined || p < at) at = p;
    }
    if (at === undefined) this.timers.cancel(this.checks);
    else this.timers.schedule(this.checks, at);
  }

  /** A new deadline at `at`: the session is checked no later than that. */
  protected checkBy(at: number): void {
    if (!this.closed) this.timers.scheduleBy(this.checks, at);
  }

  /** Bytes from the peer. */
  receive(chunk: Buffer, now: number): void {
    this.lastActivity = now;
    this.framer.push(chunk);
    if (this.closed) return;
    if (this.framer.partial) {
      if (this.partialSince === 0) {
        this.partialSince = now;
        this.checkBy(now + this.limits.partialTimeoutMs + 1);
      }
    } else {
      this.partialSince = 0;
    }
    // Backpressure: while a command is being handled, read ahead only so far.
    if (this.busy && !this.readPaused && this.framer.buffered > this.limits.maxReadAhead) {
      this.readPaused = true;
      this.transport.pause();
    }
    if (!this.busy) this.transport.inputHandled?.();
  }

  /** True if part of a command has been waiting for its rest longer than allowed. */
  protected stalled(now: number): boolean {
    return this.partialSince !== 0 && this.framer.partial && now - this.partialSince > this.limits.partialTimeoutMs;
  }

  /** True while a command line has arrived whose payload has not (slow-sender checks). */
  get awaitingPayload(): boolean {
    return this.framer.awaitingPayload;
  }

  send(line: string): void {
    if (this.closed) return;
    this.transport.write(line + '\r\n');
    this.checkWriteBuffer();
  }

  sendWithPayload(line: string, payload: Buffer | string): void {
    if (this.closed) return;
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    this.transport.writeParts(`${line} ${body.length}\r\n`, body);
    this.checkWriteBuffer();
  }

  sendError(code: number, cmd: Command | number | undefined): void {
    if (!this.takeErrorToken()) return this.close('error flood');
    const t = typeof cmd === 'number' ? cmd : cmd ? trid(cmd) : undefined;
    this.send(t === undefined ? `${code}` : `${code} ${t}`);
  }

  /** Ends the connection (after what is queued has been written). */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPacing();
    this.timers.cancel(this.checks);
    this.log.debug({ reason, remote: this.transport.remoteAddress }, 'closing connection');
    this.transport.end();
    this.onClosed(reason);
  }

  /** The transport went away (peer closed, error). */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopPacing();
    this.timers.cancel(this.checks);
    this.onClosed('connection closed by peer');
  }

  /** Cleanup after close; called exactly once. */
  protected abstract onClosed(reason: string): void;

  /** Called when a known verb exists in MSNP but not in the negotiated version. */
  protected onWrongVersion(cmd: Command): void {
    this.close(`${cmd.verb} does not exist in MSNP${this.version}`);
  }

  protected abstract get self(): S;

  /** Drops a peer that stopped reading; true if the connection is still fine. */
  protected checkWriteBuffer(): boolean {
    if (this.transport.bufferedBytes > this.limits.maxWriteBuffer) {
      this.closed = true;
      this.stopPacing();
      this.timers.cancel(this.checks);
      this.transport.destroy();
      this.onClosed('peer is not reading (write buffer over limit)');
      return false;
    }
    return true;
  }

  /** FrameSink: the byte stream broke the framing rules. */
  onFramingError(e: FramingError): void {
    this.close(`framing error: ${e}`);
  }

  /** FrameSink: one complete command. Returns false to pause parsing while it is handled. */
  onCommand(cmd: Command): boolean {
    if (this.closed) return false;
    if (!this.takeToken(this.lastActivity)) {
      if (this.limits.overRate === 'pace') this.hold(cmd);
      else this.close('command flood');
      return false;
    }
    let result: void | Promise<void>;
    try {
      result = this.dispatch(cmd);
    } catch (e) {
      this.handleFailure(cmd, e);
      return !this.closed;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      // Commands are answered in order: parse no further until this one is
      // done, then let other connections have a turn before the next one.
      this.busy = true;
      (result as Promise<void>).then(
        () => setImmediate(finish, this),
        (e: unknown) => {
          this.handleFailure(cmd, e);
          setImmediate(finish, this);
        },
      );
      return false;
    }
    return !this.closed;
  }

  /** @internal */
  finished(): void {
    this.busy = false;
    if (this.closed) return;
    if (this.readPaused) {
      this.readPaused = false;
      this.transport.resume();
    }
    this.framer.resume();
    if (!this.busy && !this.closed) this.transport.inputHandled?.();
  }

  /**
   * Over the rate on a paced connection: the command waits, nothing more is
   * read (the peer's TCP window closes), and reading resumes once the bucket
   * has a token for it. A fast sender is slowed down, never dropped.
   */
  private hold(cmd: Command): void {
    this.held = cmd;
    this.busy = true;
    if (!this.readPaused) {
      this.readPaused = true;
      this.transport.pause();
    }
    // Wait for 20 ms worth of tokens (at least one): one timer per batch, not per command.
    const rate = this.limits.commandsPerSecond;
    const want = Math.min(this.limits.commandBurst, Math.max(1, rate / 50));
    const wait = Math.max(1, Math.ceil(((want - this.tokens) * 1000) / rate));
    this.paceTimer = setTimeout(releaseHeld, wait, this);
  }

  /** @internal The paced command's token is due: handle it, then read on. */
  releaseHeld(): void {
    this.paceTimer = undefined;
    const cmd = this.held;
    this.held = undefined;
    if (this.closed || !cmd) return;
    this.busy = false;
    this.refill(Date.now());
    // Handled as onCommand would; a command that finished at once lets reading go on.
    if (this.onCommand(cmd)) this.finished();
  }

  private stopPacing(): void {
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = undefined;
    this.held = undefined;
  }

  private takeErrorToken(): boolean {
    if (this.limits.overRate !== 'pace' || this.limits.commandsPerSecond <= 0) return true;
    const now = Date.now();
    if (now > this.errorTokensAt) {
      this.errorTokens = Math.min(errorBurst(this.limits), this.errorTokens + ((now - this.errorTokensAt) * this.limits.commandsPerSecond) / 10_000);
      this.errorTokensAt = now;
    }
    if (this.errorTokens < 1) return false;
    this.errorTokens -= 1;
    return true;
  }

  private refill(now: number): void {
    if (now > this.tokensAt) {
      this.tokens = Math.min(this.limits.commandBurst, this.tokens + ((now - this.tokensAt) * this.limits.commandsPerSecond) / 1000);
      this.tokensAt = now;
    }
  }

  private takeToken(now: number): boolean {
    if (this.limits.commandsPerSecond <= 0) return true;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** A server-wide rule checked before the table (e.g. nothing but VER before VER). */
  protected admit(_cmd: Command): boolean {
    return true;
  }

  private dispatch(cmd: Command): void | Promise<void> {
    if (!this.admit(cmd)) return;
    const spec = this.table.find(cmd.verb, this.version);
    if (!spec) {
      if (this.table.has(cmd.verb) || MSNP_VERBS.has(cmd.verb)) return this.onWrongVersion(cmd);
      return this.sendError(200, cmd);
    }
    if (!spec.states.includes(this.state)) {
      if (spec.outOfState === 'close') return this.close(`${cmd.verb} not expected in state ${this.state}`);
      return this.sendError(spec.outOfState, cmd);
    }
    return spec.handle(this.self, cmd);
  }

  private handleFailure(cmd: Command, e: unknown): void {
    if (this.closed) return;
    if (e instanceof ProtocolError) {
      this.sendError(e.code, cmd);
      if (e.closeAfter) this.close(`error ${e.code} on ${cmd.verb}`);
      return;
    }
    if (e instanceof CloseConnection) return this.close(e.message);
    this.log.error({ err: e, verb: cmd.verb }, 'command failed');
    this.sendError(500, cmd);
  }
}
