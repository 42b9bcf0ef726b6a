// Splits a byte stream into MSNP commands. Binary-safe: payloads are sliced
// out as bytes by the length in their command line, never decoded. Limits are
// enforced here, before anything is buffered beyond them.
import type { Command } from './command.js';

export type FramingError = 'line-too-long' | 'bad-payload-length' | 'payload-too-large';

export interface FramerOptions {
  maxLineBytes: number;
  maxPayloadBytes: number;
  /** Verbs whose last token is the byte length of a payload that follows the line. */
  payloadVerbs: ReadonlySet<string>;
  /**
   * Treat a payload verb whose last token is not a number as a plain line
   * (clients reading server lines such as `ADL 12 OK`). Servers keep this off.
   */
  lenientPayloads?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/** Where a framer delivers what it parses (a session; one object, no closures per connection). */
export interface FrameSink {
  /** One complete command. Returning false stops parsing until resume(). */
  onCommand(cmd: Command): boolean | void;
  onFramingError(e: FramingError): void;
}

export class Framer {
  private buf: Buffer = EMPTY;
  /** Set while waiting for the payload of `pending`. */
  private pending: Command | undefined;
  private need = 0;
  private failed = false;
  private paused = false;

  constructor(
    private readonly opts: FramerOptions,
    private readonly sink: FrameSink,
  ) {}

  /** Bytes received but not yet delivered as commands. */
  get buffered(): number {
    return this.buf.length;
  }

  /** True while a command line or its payload has only partly arrived (and parsing is not paused). */
  get partial(): boolean {
    return !this.paused && (this.buf.length > 0 || this.pending !== undefined);
  }

  /** True while a command line has arrived but its payload has not. */
  get awaitingPayload(): boolean {
    return this.pending !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.paused) this.parse();
  }

  /** Continues after the sink stopped parsing. */
  resume(): void {
    if (!this.paused || this.failed) return;
    this.paused = false;
    this.parse();
  }

  private parse(): void {
    let off = 0;
    const buf = this.buf;
    while (!this.failed && !this.paused) {
      if (this.pending) {
        if (buf.length - off < this.need) break;
        const cmd = this.pending;
        // Copy, so the payload does not pin the whole receive buffer.
        cmd.payload = Buffer.from(buf.subarray(off, off + this.need));
        off += this.need;
        this.pending = undefined;
        this.need = 0;
        this.deliver(cmd);
        continue;
      }
      const nl = buf.indexOf(LF, off);
      if (nl < 0) {
        if (buf.length - off > this.opts.maxLineBytes) return this.fail('line-too-long');
        break;
      }
      let end = nl;
      if (end > off && buf[end - 1] === CR) end--;
      if (end - off > this.opts.maxLineBytes) return this.fail('line-too-long');
      const line = buf.toString('utf8', off, end);
      off = nl + 1;
      const tokens = line.split(' ').filter((t) => t.length > 0);
      if (tokens.length === 0) continue; // blank lines are ignored
      const verb = tokens[0]!;
      const cmd: Command = { verb, args: tokens.slice(1) };
      if (this.opts.payloadVerbs.has(verb)) {
        const lenTok = cmd.args[cmd.args.length - 1];
        if (lenTok === undefined || !/^\d{1,9}$/.test(lenTok)) {
          if (this.opts.lenientPayloads) {
            this.deliver(cmd);
            continue;
          }
          return this.fail('bad-payload-length');
        }
        const len = Number(lenTok);
        if (len > this.opts.maxPayloadBytes) return this.fail('payload-too-large');
        this.pending = cmd;
        this.need = len;
        continue;
      }
      this.deliver(cmd);
    }
    if (this.failed) return;
    // The sink may have pushed more (re-entrantly) while we parsed: keep what this pass did not use.
    const rest = buf.subarray(off);
    this.buf = this.buf === buf ? (rest.length === 0 ? EMPTY : rest) : Buffer.concat([rest, this.buf.subarray(buf.length)]);
    // Compact the tail so a long-lived partial line does not pin a large chunk.
    if (this.buf.length > 0 && this.buf.buffer.byteLength > this.buf.length * 4 + 4096) this.buf = Buffer.from(this.buf);
  }

  private deliver(cmd: Command): void {
    if (this.sink.onCommand(cmd) === false) this.paused = true;
  }

  private fail(e: FramingError): void {
    this.failed = true;
    this.buf = EMPTY;
    this.pending = undefined;
    this.sink.onFramingError(e);
  }
}
