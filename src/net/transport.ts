// What a session needs from its connection. A TCP socket is one
// implementation, the HTTP gateway (src/web/gateway) another, so sessions
// never touch sockets directly.

export interface Transport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The local address the client reached (used for XFR/RNG when no public host is set). */
  readonly localAddress: string;
  readonly localPort: number;
  /** Queues bytes for the peer. Returns false once the connection is closed. */
  write(data: string | Buffer): boolean;
  /** Writes a header line and a payload as one unit, without copying the payload. */
  writeParts(head: string, body: Buffer): boolean;
  /** Bytes written but not yet taken by the peer (a slow reader shows here). */
  readonly bufferedBytes: number;
  /** Stops reading from the peer (backpressure while commands wait). */
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping anything queued. */
  destroy(): void;
  readonly closed: boolean;
  /**
   * Told when every command received so far has been handled (a transport
   * that answers requests, such as the HTTP gateway, answers then).
   */
  inputHandled?(): void;
}

/** What a transport needs from the session it carries: bytes in, and news of its end. */
export interface SocketSession {
  receive(chunk: Buffer, now: number): void;
  transportClosed(): void;
}
