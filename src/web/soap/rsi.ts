// RSI (`/rsi/rsi.asmx`; rsi_ws.wsdl): the account's own offline messages,
// read with the messenger.msn.com token. Only ever the token holder's: an id
// of someone else's message reads and deletes nothing (services.md §7.2,
// client-quirks.md "Offline messages").
import type { Core } from '../../core/core.js';
import { mailDataXml, oimMessageText } from '../../msnp/ns/render/oim.js';
import type { SoapAction } from './endpoint.js';
import { child, children, textOf } from './envelope.js';
import { HotmailFault } from './hotmail-fault.js';
import { esc } from './xml.js';

export const RSI_NS = 'http://www.hotmail.msn.com/ws/2004/09/oim/rsi';

/** Ids one DeleteMessages may name (a sign-in lists at most the account's waiting messages). */
const MAX_DELETE_IDS = 1000;

export function rsiActions(core: Core): Record<string, SoapAction> {
  return {
    async GetMetadata({ principal }) {
      const ms = await core.offline.list(principal.accountId);
      // COMPAT: Pidgin 2.11 reads Body/GetMetadataResponse/MD as elements, not as escaped text.
      return { body: `<GetMetadataResponse xmlns="${RSI_NS}">${mailDataXml(ms, principal.email)}</GetMetadataResponse>` };
    },
    async GetMessage({ soap, principal }) {
      const id = textOf(child(soap.body, 'messageId'))?.trim() ?? '';
      const m = id ? await core.offline.get(principal.accountId, id) : undefined;
      if (!m) throw new HotmailFault('soap:Client', 'The message does not exist');
      return {
        body: `<GetMessageResponse xmlns="${RSI_NS}"><GetMessageResult>${esc(oimMessageText(m, principal.email))}</GetMessageResult></GetMessageResponse>`,
      };
    },
    async DeleteMessages({ soap, principal }) {
      const ids = children(child(soap.body, 'messageIds'), 'messageId').map((n) => textOf(n)?.trim() ?? '').filter((s) => s !== '');
      if (ids.length > MAX_DELETE_IDS) throw new HotmailFault('soap:Client', `At most ${MAX_DELETE_IDS} ids per request`);
      await core.offline.delete(principal.accountId, ids);
      return { body: `<DeleteMessagesResponse xmlns="${RSI_NS}" />` };
    },
  };
}
