// What's New (sup.live.com, services.md §0) and the sign-in host probe, over
// real HTTP(S): MSNPSharp 3.2.1's GetContactsRecentActivity with the
// sup.live.com token RST2 issued gets an empty feed (plain HTTP too, as that
// client calls it); another service's token, no token or another action gets
// the SOAP fault; WLM's empty POST / gets 200.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { startTestServer, type TestServer } from './helpers/server.js';
import { httpRequest, httpsRequest } from './helpers/https.js';
import { accountMaker } from './helpers/ns.js';
import { all, faultOf, parseTree, soapPost } from './helpers/soap.js';
import { rst2For, serviceTokenFor } from './helpers/sso.js';
import { ticketFor } from './helpers/tickets.js';

const PATH = '/whatsnew/whatsnewservice.asmx';
const ACTION = 'http://www.msn.com/webservices/AddressBook/GetContactsRecentActivity';

/** The request MSNPSharp 3.2.1 builds (WhatsUpService.cs: entityHandle/Cid, locales, count). */
function request(token: string, action = 'GetContactsRecentActivity'): string {
  const esc = token.replace(/&/g, '&amp;');
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    '<soap:Header><WNApplicationHeader xmlns="http://www.msn.com/webservices/AddressBook"><ApplicationId>3B119D87-1D76-4474-91AD-0D7267E86D04</ApplicationId></WNApplicationHeader>' +
    `<WNAuthHeader xmlns="http://www.msn.com/webservices/AddressBook"><TicketToken>${esc}</TicketToken></WNAuthHeader></soap:Header>` +
    `<soap:Body><${action} xmlns="http://www.msn.com/webservices/AddressBook"><entityHandle><Cid>-1234</Cid></entityHandle><locales><string>en-US</string></locales><count>50</count></${action}></soap:Body></soap:Envelope>`
  );
}

describe("What's New and the sign-in host probe", () => {
  let t: TestServer;
  const users = accountMaker(() => t, 'wn');
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('GetContactsRecentActivity with the sup.live.com token: an empty feed, over HTTPS and plain HTTP', async () => {
    const [a] = await users(1);
    const token = await serviceTokenFor(t, rst2For(a!, 'secret'), 'sup.live.com');
    for (const plain of [false, true]) {
      const res = await soapPost(t, { host: 'sup.live.com', path: PATH, action: ACTION, body: request(token), plain });
      const xml = res.body.toString('utf8');
      assert.equal(res.status, 200, xml);
      assert.equal(XMLValidator.validate(xml), true);
      const result = all(parseTree(xml), 'soap:Envelope/soap:Body/GetContactsRecentActivityResponse/GetContactsRecentActivityResult');
      assert.equal(result.length, 1, xml);
      for (const part of ['Activities', 'Templates', 'FeedUrl']) assert.ok(all(result[0]!, part).length === 1, `${part} in ${xml}`);
    }
  });

  test('another service token, no token, an unknown action: SOAP faults', async () => {
    const [a] = await users(1);
    const contacts = await serviceTokenFor(t, rst2For(a!, 'secret'), 'contacts.msn.com');
    const sup = await serviceTokenFor(t, rst2For(a!, 'secret'), 'sup.live.com');
    for (const [body, code] of [
      [request(contacts), 'PassportAuthFail'],
      [request(''), 'PassportAuthFail'],
      [request(sup, 'GetSomethingElse'), 'UnknownAction'],
      ['<not xml', 'BadArgument'],
    ] as const) {
      const action = body.includes('GetSomethingElse') ? ACTION.replace('GetContactsRecentActivity', 'GetSomethingElse') : ACTION;
      const res = await soapPost(t, { host: 'sup.live.com', path: PATH, action, body, plain: true });
      assert.equal(res.status, 500);
      const f = faultOf(res);
      assert.equal(f?.faultcode, 'soap:Client', res.body.toString('utf8'));
      if (code !== 'BadArgument') assert.equal(f?.errorcode, code);
    }
    // The sup.live.com token opens nothing else: the address book refuses it.
    const ab = await soapPost(t, { path: '/abservice/abservice.asmx', action: 'http://www.msn.com/webservices/AddressBook/ABFindAll', body: request(sup, 'ABFindAll').replace(/WNAuthHeader/g, 'ABAuthHeader') });
    assert.equal(faultOf(ab)?.errorcode, 'PassportAuthFail');
  });

  test('a Passport ticket (login2.srf) is refused over plain HTTP: it opens the address book, storage and RSI over HTTPS', async () => {
    const [a] = await users(1);
    const ticket = await ticketFor(t, a!, 'secret');
    const plain = await soapPost(t, { host: 'sup.live.com', path: PATH, action: ACTION, body: request(ticket), plain: true });
    assert.equal(plain.status, 500);
    assert.equal(faultOf(plain)?.errorcode, 'PassportAuthFail', plain.body.toString('utf8'));
    // Over HTTPS it is still taken, as by every other SOAP service.
    const secure = await soapPost(t, { host: 'sup.live.com', path: PATH, action: ACTION, body: request(ticket) });
    assert.equal(secure.status, 200, secure.body.toString('utf8'));
  });

  test("WLM's empty POST / (a reachability probe): 200 over HTTP and HTTPS", async () => {
    for (const res of [
      await httpRequest(t.server.ports.http!, { host: 'login.live.com', method: 'POST', path: '/', body: '' }),
      await httpsRequest(t.server.ports.https!, { host: 'login.live.com', method: 'POST', path: '/', body: '' }),
    ]) {
      assert.equal(res.status, 200);
      assert.equal(res.header('content-length'), '0');
    }
  });
});
