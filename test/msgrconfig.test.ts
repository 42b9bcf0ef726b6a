// MsgrConfig (services.md §8) over real HTTP and HTTPS: the plain GET of WLM
// 8.x/2009 gets a bare <MsgrConfig> document, the SOAP GetClientConfig of
// MSN 6.x-7.x gets it inside GetClientConfigResult; a DTD or another action
// gets a fault.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startTestServer, type TestServer } from './helpers/server.js';
import { httpRequest, httpsRequest } from './helpers/https.js';
import { faultOf } from './helpers/soap.js';

const HOST = 'config.messenger.msn.com';
const PATH = '/Config/MsgrConfig.asmx';
const CLIENT_NS = 'http://www.msn.com/webservices/Messenger/Client';
const parser = new XMLParser({ ignoreAttributes: false });

function getClientConfig(extra = ''): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>${extra}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<soap:Body><GetClientConfig xmlns="${CLIENT_NS}"><clientinfo><Country>US</Country><CLCID>0409</CLCID><PLCID>0409</PLCID><GeoID>244</GeoID></clientinfo></GetClientConfig></soap:Body></soap:Envelope>`
  );
}

describe('MsgrConfig', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  test('GET (WLM 8.x/2009), plain HTTP and HTTPS: a well-formed <MsgrConfig> with a Content-Length', async () => {
    const path = `${PATH}?op=GetClientConfig&Version=14.0.8117.416&Culture=en-us&Country=US`;
    for (const res of [await httpRequest(t.server.ports.http!, { host: HOST, path }), await httpsRequest(t.server.ports.https!, { host: HOST, path })]) {
      assert.equal(res.status, 200);
      assert.match(res.header('content-type') ?? '', /^text\/xml/);
      assert.equal(res.header('content-length'), String(res.body.length));
      const xml = res.body.toString('utf8');
      assert.equal(XMLValidator.validate(xml), true);
      const doc = parser.parse(xml);
      assert.ok(doc.MsgrConfig?.Simple, xml);
    }
  });

  test('SOAP GetClientConfig (MSN 6.x-7.x): the same document inside GetClientConfigResult', async () => {
    const res = await httpRequest(t.server.ports.http!, {
      host: HOST,
      method: 'POST',
      path: PATH,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${CLIENT_NS}/GetClientConfig"` },
      body: getClientConfig(),
    });
    assert.equal(res.status, 200);
    const doc = parser.parse(res.body.toString('utf8'));
    const inner = doc['soap:Envelope']['soap:Body'].GetClientConfigResponse.GetClientConfigResult;
    assert.equal(typeof inner, 'string');
    assert.ok(parser.parse(inner).MsgrConfig?.Simple, inner);
  });

  test('a DTD or anything but GetClientConfig: a SOAP fault, and the next request is answered', async () => {
    const post = (body: string) =>
      httpRequest(t.server.ports.http!, { host: HOST, method: 'POST', path: PATH, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body });
    for (const body of [getClientConfig('<!DOCTYPE x [<!ENTITY a "a">]>'), '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Other/></soap:Body></soap:Envelope>', 'x'.repeat(20000)]) {
      const res = await post(body);
      assert.equal(res.status, 500);
      assert.equal(faultOf(res)?.faultcode, 'soap:Client');
    }
    assert.equal((await post(getClientConfig())).status, 200);
  });
});
