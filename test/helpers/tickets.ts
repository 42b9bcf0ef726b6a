// Passport tickets for MSNP8-12 tests: getting one over HTTPS and presenting
// one in `USR t TWN S` on a fresh connection.
import fs from 'node:fs';
import { MsnpConnection, type Received } from '../../src/client/connection.js';
import { passportTicket } from '../../src/client/passport.js';
import { HOST, sharedTls, type TestServer } from './server.js';

/** A ticket from login2.srf or RST.srf of this server. */
export function ticketFor(t: TestServer, email: string, password: string, method: 'login2' | 'rst' = 'login2'): Promise<string> {
  return passportTicket({ host: HOST, port: t.server.ports.https!, ca: fs.readFileSync(sharedTls().ca), method }, email, password, 'lc=1033,id=507');
}

/**
 * VER, CVR, `USR TWN I email`, then `USR TWN S ticket` on a new connection;
 * resolves with the USR OK line (the connection is then closed), rejects with
 * the ClientError of a refusal after checking the server hung up.
 */
export async function signInWithTicket(port: number, email: string, ticket: string, version = 9): Promise<Received> {
  const conn = await MsnpConnection.connect(HOST, port);
  try {
    await conn.request('VER', [`MSNP${version}`]);
    await conn.request('CVR', ['0x0409', 'winnt', '5.1', 'i386', 'MSNMSGR', '6.0.0602', 'MSMSGS', email]);
    await conn.request('USR', ['TWN', 'I', email]);
    try {
      return await conn.request('USR', ['TWN', 'S', ticket]);
    } catch (e) {
      // A refused sign-in is fatal: the server closes the connection.
      await conn.closedByPeer();
      throw e;
    }
  } finally {
    conn.destroy();
  }
}
