// Our own switchboard client: authenticate (USR or ANS), invite, send and
// receive messages.
import { MsnpConnection, type Connector, type Received } from './connection.js';

export type AckType = 'U' | 'N' | 'A' | 'D' | 'S';

export class SbClient {
  chatId = '';

  private constructor(
    readonly conn: MsnpConnection,
    private readonly timeoutMs: number,
  ) {}

  static async connect(host: string, port: number, timeoutMs = 5000, connector?: Connector): Promise<SbClient> {
    const conn = connector ? await connector(host, port, 'SB', timeoutMs) : await MsnpConnection.connect(host, port, timeoutMs);
    return new SbClient(conn, timeoutMs);
  }

  /** USR t email cookie (the caller's side). */
  async usr(email: string, cookie: string): Promise<Received> {
    return this.conn.request('USR', [email, cookie], undefined, this.timeoutMs);
  }

  /** ANS t email cookie sessionid; resolves with the IRO roster after ANS OK. */
  async ans(email: string, cookie: string, sessionId: string): Promise<Received[]> {
    this.chatId = sessionId;
    const t = this.conn.send('ANS', [email, cookie, sessionId]);
    const roster: Received[] = [];
    for (;;) {
      const r = await this.conn.waitFor((x) => x.args[0] === String(t), this.timeoutMs, 'ANS reply');
      if (r.verb === 'IRO') roster.push(r);
      else if (r.verb === 'ANS') return roster;
      else throw new Error(`ANS failed: ${r.line}`);
    }
  }

  /** CAL t email → RINGING; resolves with the session id. */
  async call(email: string): Promise<string> {
    const r = await this.conn.request('CAL', [email], undefined, this.timeoutMs);
    this.chatId = r.args[2]!;
    return this.chatId;
  }

  /** Sends a message; returns its trid (ACK/NAK, if any, arrive on conn). */
  send(payload: Buffer | string, ack: AckType = 'N'): number {
    return this.conn.send('MSG', [ack], payload);
  }

  /** A plain-text message body as the official clients format it. */
  static text(body: string): string {
    return `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\n${body}`;
  }

  /** Sends and waits for ACK (resolves true) or NAK (false). */
  async sendAcked(payload: Buffer | string, ack: 'A' | 'D' = 'A'): Promise<boolean> {
    const t = this.send(payload, ack);
    const r = await this.conn.waitFor((x) => (x.verb === 'ACK' || x.verb === 'NAK') && x.args[0] === String(t), this.timeoutMs, 'ACK');
    return r.verb === 'ACK';
  }

  /** The next relayed message. */
  receive(timeoutMs = this.timeoutMs): Promise<Received> {
    return this.conn.expect('MSG', timeoutMs);
  }

  leave(): void {
    this.conn.sendLine(['OUT']);
    this.conn.close();
  }
}
