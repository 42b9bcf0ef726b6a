// The address book over SOAP: an account with many contacts (built over MSNP7)
// fetches its whole book with ABFindAll over HTTPS, one request at a time.
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { passportTicket } from '../src/client/passport.js';
import { account, PASSWORD, signIn } from './scenarios.js';
import { distribution, pool, type Distribution } from './stats.js';

const NS = 'http://www.msn.com/webservices/AddressBook';

export interface AbFindAllResult {
  contacts: number;
  repeats: number;
  /** Bytes of one answer. */
  bytes: number;
  latencyMs: Distribution;
  /** The same book asked for deltas since the time of the last full answer (nothing changed: MSNPSharp's request while online). */
  deltaBytes: number;
  deltaLatencyMs: Distribution;
}

function post(port: number, ca: Buffer, body: string): Promise<{ status: number; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: 'contacts.msn.com', method: 'POST', path: '/abservice/abservice.asmx', ca, agent: false, headers: { Host: 'contacts.msn.com', 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${NS}/ABFindAll"` } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const all = Buffer.concat(parts);
          resolve({ status: res.statusCode ?? 0, bytes: all.length, text: all.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function abFindAllScenario(nsPort: number, httpsPort: number, ca: Buffer, contacts: number, repeats: number, ownerIndex: number, firstContact: number): Promise<AbFindAllResult> {
  const owner = account(ownerIndex);
  const setup = await signIn(nsPort, owner);
  await setup.sync(0);
  await pool(Array.from({ length: contacts }, (_, i) => account(firstContact + i)), 16, (e) => setup.conn.request('ADD', ['FL', e, e, '0'], undefined, 60000).catch(() => undefined));
  setup.conn.destroy();
  const ticket = await passportTicket({ host: '127.0.0.1', port: httpsPort, ca, method: 'rst', timeoutMs: 60000 }, owner, PASSWORD, 'lc=1033,id=507');
  const body =
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>` +
    `<ABApplicationHeader xmlns="${NS}"><ApplicationId>996CDE1E-AA53-4477-B943-2BE802EA6166</ApplicationId><IsMigration>false</IsMigration><PartnerScenario>Initial</PartnerScenario></ABApplicationHeader>` +
    `<ABAuthHeader xmlns="${NS}"><ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>${ticket.replace(/&/g, '&amp;')}</TicketToken></ABAuthHeader></soap:Header>` +
    `<soap:Body><ABFindAll xmlns="${NS}"><abId>00000000-0000-0000-0000-000000000000</abId><abView>Full</abView><deltasOnly>false</deltasOnly><lastChange>0001-01-01T00:00:00.0000000-08:00</lastChange></ABFindAll></soap:Body></soap:Envelope>`;
  const run = async (b: string) => {
    const times: number[] = [];
    let last = { status: 0, bytes: 0, text: '' };
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      last = await post(httpsPort, ca, b);
      times.push(performance.now() - t0);
      if (last.status !== 200) throw new Error(`ABFindAll answered ${last.status}`);
    }
    return { last, times };
  };
  const full = await run(body);
  const lastChange = /<ab>.*<lastChange>([^<]+)<\/lastChange>/.exec(full.last.text)?.[1];
  if (!lastChange) throw new Error('no ab/lastChange in the ABFindAll answer');
  const delta = await run(body.replace('<deltasOnly>false</deltasOnly><lastChange>0001-01-01T00:00:00.0000000-08:00</lastChange>', `<deltasOnly>true</deltasOnly><lastChange>${lastChange}</lastChange>`));
  return { contacts, repeats, bytes: full.last.bytes, latencyMs: distribution(full.times), deltaBytes: delta.last.bytes, deltaLatencyMs: distribution(delta.times) };
}
