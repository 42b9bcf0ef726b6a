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
  onCommand(cmd: Command): void;
  onFramingError(e: FramingError): void;
}

export class Framer {
  private buf: Buffer = EMPTY;
  /** Set while waiting for the payload of `pending`. */
  private pending: Command | undefined;
  private need = 0;
  private failed = false;

  constructor(
    private readonly opts: FramerOptions,
    private readonly sink: FrameSink,
  ) {}

  /** Bytes received but not yet part of a complete command. */
  get buffered(): number {
    return this.buf.length;
  }

  /** True while a command line has arrived but its payload has not. */
  get awaitingPayload(): boolean {
    return this.pending !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    const buf = this.buf;
    while (!this.failed) {
      if (this.pending) {
        if (buf.length - off < this.need) break;
        const cmd = this.pending;
        // Copy, so the payload does not pin the whole receive buffer.
        cmd.payload = Buffer.from(buf.subarray(off, off + this.need));
        off += this.need;
        this.pending = undefined;
        this.need = 0;
        this.sink.onCommand(cmd);
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
            this.sink.onCommand(cmd);
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
      this.sink.onCommand(cmd);
    }
    this.buf = off >= buf.length ? EMPTY : off === 0 ? buf : buf.subarray(off);
    // Keep memory bounded: a partial payload never exceeds the limit (checked above);
    // compact the tail so a long-lived partial line does not pin a large chunk.
    if (this.buf.length > 0 && this.buf.buffer.byteLength > this.buf.length * 4 + 4096) this.buf = Buffer.from(this.buf);
  }

  private fail(e: FramingError): void {
    this.failed = true;
    this.buf = EMPTY;
    this.pending = undefined;
    this.sink.onFramingError(e);
  }
}
