// The Transport behind one HTTP gateway session: output is queued until the
// client's next request collects it; each request's body is fed to the
// session as if it had arrived on a socket. The NS/SB session on top is the
// very one TCP clients get: it never learns which transport carries it.
import type { SocketSession, Transport } from '../../net/transport.js';

export class GatewayTransport implements Transport {
  /** COMPAT: the original service reported `ClientPort: 0` to HTTP clients (hypothetic.org "HTTP connections"). */
  readonly remotePort = 0;
  /** @internal the session reading from this transport */
  session: SocketSession | undefined;
  private out: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private destroyed = false;
  /** A request's body has been fed and not all of its commands are handled yet. */
  private handling = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly remoteAddress: string,
    /** Where the client reached the gateway: XFR and RNG name this address, as for TCP. */
    readonly localAddress: string,
    readonly localPort: number,
  ) {}

  get closed(): boolean {
    return this.ended || this.destroyed;
  }

  /** Output waiting for the client's next request: the session's write-buffer limit applies to it, as to a socket's. */
  get bufferedBytes(): number {
    return this.queued;
  }

  write(data: string | Buffer): boolean {
    if (this.closed) return false;
    this.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    return true;
  }

  writeParts(head: string, body: Buffer): boolean {
    if (this.closed) return false;
    this.push(Buffer.from(head, 'latin1'));
    this.push(body);
    return true;
  }

  // A request's body is fed only after the previous request of the session
  // has been answered, which waits until its commands are handled: the
  // read-ahead a paused socket would hold back never piles up here.
  pause(): void {}
  resume(): void {}

  /** The session is done: what is queued is still delivered, with `Session=close`. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  destroy(): void {
    this.destroyed = true;
    this.out = [];
    this.queued = 0;
    this.notify();
  }

  inputHandled(): void {
    this.handling = false;
    this.notify();
  }

  /**
   * Feeds a request body to the session and resolves once its commands have
   * been handled (their answers are then queued), the session has ended, or
   * `maxWaitMs` has passed.
   */
  feed(body: Buffer, now: number, maxWaitMs: number): Promise<void> {
    if (this.closed || body.length === 0) return Promise.resolve();
    this.handling = true;
    this.session!.receive(body, now);
    if (!this.handling || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, maxWaitMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Takes everything queued. */
  take(): Buffer {
    const b = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.queued);
    this.out = [];
    this.queued = 0;
    return b;
  }

  private push(b: Buffer): void {
    if (b.length === 0) return;
    this.out.push(b);
    this.queued += b.length;
  }

  private notify(): void {
    if (this.wake && (!this.handling || this.closed)) {
      const w = this.wake;
      this.wake = undefined;
      w();
    }
  }
}
