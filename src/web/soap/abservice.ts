// ABService (`/abservice/abservice.asmx`): the read side of the address book,
// ABFindAll (WLM 8.x, MSNP13-15) and ABFindContactsPaged (WLM 2009, Pidgin
// 2.11, MSNPSharp 3.x; MSNP18). Contacts are the forward-list entries plus
// the owner's own "Me" contact; element names and order follow
// msnab_datatypes.xsd / msnab_servicetypes.xsd (msnp-sharp
// MSNPSHARP_31_STABLE) and services.md §4. Delta answers carry what changed
// after the client's time, removals as `fDeleted` entries (COMPAT: MSNPSharp
// 3.2.1 drops a contact or group on `fDeleted` true, by contactId/groupId,
// and takes a delta only when the book's lastChange is later than its own).
import { LIST_BITS, type Contact, type Group } from '../../core/model.js';
import type { Core } from '../../core/core.js';
import { abDoesNotExist, readBook, type BookView } from './book.js';
import { boolOf, child, children, textOf } from './envelope.js';
import type { SoapAction, SoapContext } from './endpoint.js';
import { cidOf, meContactId, OWN_AB_ID } from './ids.js';
import { AB_NS, serviceHeader } from './service-header.js';
import { abTime, el, esc, NEVER, type Ticks } from './xml.js';

/** The Messenger group type (msnab_datatypes.xsd groupInfoType default). */
const MESSENGER_GROUP_TYPE = 'C8529CE2-6EAD-434d-881F-341E17DB3FF8';

function annotations(list: [string, string][]): string {
  return `<annotations>${list.map(([n, v]) => `<Annotation>${el('Name', n)}${el('Value', v)}</Annotation>`).join('')}</annotations>`;
}

/** contactInfo fields after the name, the same for every contact (contactInfoType order). */
function contactTail(messenger: boolean): string {
  return (
    el('isMobileIMEnabled', false) +
    el('isMessengerUser', messenger) +
    el('isFavorite', false) +
    el('isSmtp', false) +
    el('hasSpace', false) +
    el('spotWatchState', 'NoDevice') +
    el('birthdate', NEVER) +
    el('primaryEmailType', 'ContactEmailPersonal') +
    el('PrimaryLocation', 'ContactLocationPersonal') +
    el('PrimaryPhone', 'ContactPhonePersonal') +
    el('IsPrivate', false) +
    el('Gender', 'Unspecified') +
    el('TimeZone', 'None') +
    el('IsHidden', false) +
    el('IsPassportNameHidden', false)
  );
}

function contactEnd(at: string, deleted = false): string {
  return `<propertiesChanged />${el('fDeleted', deleted)}${el('lastChange', at)}`;
}

function meContact(b: BookView, at: string): string {
  const o = b.owner;
  return (
    `<Contact>${el('contactId', meContactId(o.accountId))}<contactInfo>` +
    // MSN.IM.BLP: 1 = others allowed (BLP AL), 0 = blocked (BLP BL); MSN.IM.GTC: 1 = prompt on reverse adds (GTC A).
    annotations([
      ['MSN.IM.BLP', o.privacy === 'AL' ? '1' : '0'],
      ['MSN.IM.GTC', o.addPrompt === 'A' ? '1' : '0'],
      ['MSN.IM.MBEA', '0'],
    ]) +
    contactBody('Me', o.friendlyName, o.email, o.accountId, at)
  );
}

/** The part of `<contactInfo>` every contact shares (schema order), and the contact's end. */
function contactBody(type: 'Me' | 'Regular', name: string, email: string, accountId: number, at: string, deleted = false): string {
  return (
    el('contactType', type) +
    el('quickName', name) +
    el('passportName', email) +
    el('displayName', name) +
    el('puid', 0) +
    el('CID', cidOf(accountId)) +
    contactTail(!deleted) +
    `</contactInfo>${contactEnd(at, deleted)}</Contact>`
  );
}

function regularContact(c: Contact, groupGuids: Map<number, string>, at: string): string {
  const groups = c.groups.map((id) => groupGuids.get(id)).filter((g): g is string => g !== undefined);
  return (
    `<Contact>${el('contactId', c.guid)}<contactInfo>` +
    (groups.length ? `<groupIds>${groups.map((g) => el('guid', g)).join('')}</groupIds>` : '') +
    contactBody('Regular', c.friendlyName, c.email, c.contactId, at)
  );
}

/**
 * A contact gone from the forward list: its contactId with fDeleted true.
 * COMPAT: MSNPSharp 3.2.1 skips a Contact without contactInfo, so the
 * entry keeps one (isMessengerUser false, as the service marked contacts
 * that stopped being messenger contacts).
 */
function deletedContact(r: BookView['removedContacts'][number]): string {
  return `<Contact>${el('contactId', r.guid)}<contactInfo>${contactBody('Regular', r.email, r.email, r.contactId, abTime(r.at), true)}`;
}

function groupInfo(name: string): string {
  return (
    `<groupInfo>${annotations([['MSN.IM.Display', '1']])}` +
    `${el('groupType', MESSENGER_GROUP_TYPE)}${el('name', name)}${el('IsNotMobileVisible', false)}${el('IsPrivate', false)}${el('IsFavorite', false)}</groupInfo>`
  );
}

function group(g: Group, at: string): string {
  return `<Group>${el('groupId', g.guid)}${groupInfo(g.name)}<propertiesChanged />${el('fDeleted', false)}${el('lastChange', at)}</Group>`;
}

/** A deleted group: its groupId with fDeleted true (its name is not kept). */
function deletedGroup(r: BookView['removedGroups'][number]): string {
  return `<Group>${el('groupId', r.guid)}${groupInfo('')}<propertiesChanged />${el('fDeleted', true)}${el('lastChange', abTime(r.at))}</Group>`;
}

/** groups, contacts (Me first), as `groups`/`contacts` (ABFindAll) or `Groups`/`Contacts` (paged). */
function groupsAndContacts(b: BookView, groupsTag: string, contactsTag: string): string {
  if (b.unchanged) return `<${contactsTag} />`;
  // Group lists have minOccurs=0 but at least one Group when present.
  const groupEls = [...b.groups.map((g) => group(g, abTime(b.groupAt(g.id)))), ...b.removedGroups.map(deletedGroup)];
  const groups = groupEls.length ? `<${groupsTag}>${groupEls.join('')}</${groupsTag}>` : '';
  const fl = b.contacts.filter((c) => c.lists & LIST_BITS.FL && c.contactId !== b.owner.accountId);
  const gone = b.removedContacts.filter((r) => r.lists & LIST_BITS.FL && r.contactId !== b.owner.accountId);
  return (
    `${groups}<${contactsTag}>${meContact(b, abTime(b.at))}` +
    `${fl.map((c) => regularContact(c, b.groupGuids, abTime(b.contactAt(c.contactId)))).join('')}${gone.map(deletedContact).join('')}</${contactsTag}>`
  );
}

function abElement(tag: string, b: BookView, created: Ticks): string {
  const o = b.owner;
  return (
    `<${tag}>${el('abId', OWN_AB_ID)}<abInfo>${el('ownerPuid', 0)}${el('OwnerCID', cidOf(o.accountId))}${el('ownerEmail', o.email)}` +
    `${el('fDefault', true)}${el('joinedNamespace', false)}${el('IsBot', false)}${el('IsParentManaged', false)}` +
    `${el('SubscribeExternalPartner', false)}${el('NotifyExternalPartner', false)}${el('AddressBookType', 'Individual')}` +
    `${el('MessengerApplicationServiceCreated', false)}${el('IsBetaMigrated', false)}</abInfo>` +
    `${el('lastChange', abTime(b.at))}${el('DynamicItemLastChanged', NEVER)}${el('RecentActivityItemLastChanged', NEVER)}` +
    `${el('createDate', abTime(created))}<propertiesChanged /></${tag}>`
  );
}

/**
 * The circle ticket WLM 2009 echoes in `USR SHA A`. msnpd has no circles yet:
 * a signed ticket naming the owner and no circles, for the notification
 * server to check once it reads it.
 */
function circleTicket(ctx: SoapContext): string {
  const data = Buffer.from(`<Data><Cid>${cidOf(ctx.principal.accountId)}</Cid><Circles /></Data>`).toString('base64');
  const ticket = `<?xml version="1.0" encoding="utf-16"?><SignedTicket xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ver="1" keyVer="1"><Data>${data}</Data><Sig></Sig></SignedTicket>`;
  return esc(ticket);
}

export function abServiceActions(core: Core): Record<string, SoapAction> {
  // The book exists as long as the account does; a fixed creation time is all clients need.
  const created = 0n;
  return {
    async ABFindAll(ctx) {
      const abId = textOf(child(ctx.soap.body, 'abId'))?.trim();
      if (abId && abId !== OWN_AB_ID) throw abDoesNotExist();
      const b = await readBook(core, ctx.principal, boolOf(child(ctx.soap.body, 'deltasOnly')), textOf(child(ctx.soap.body, 'lastChange')));
      return {
        header: serviceHeader(ctx.req),
        body: `<ABFindAllResponse xmlns="${AB_NS}"><ABFindAllResult>${groupsAndContacts(b, 'groups', 'contacts')}${abElement('ab', b, created)}</ABFindAllResult></ABFindAllResponse>`,
      };
    },
    /**
     * The contacts named by id. COMPAT: MSNPSharp 3.2.1 (ContactService.AddNewOrPendingContact)
     * answers a ContactAlreadyExists fault by reading its conflictObjectId, fetching that
     * contact here, then ABContactUpdate; without this action an add of a contact already
     * in the book never completed. Only the caller's own entries are ever named.
     */
    async ABFindByContacts(ctx) {
      const abId = textOf(child(ctx.soap.body, 'abId'))?.trim();
      if (abId && abId !== OWN_AB_ID) throw abDoesNotExist();
      const wanted = new Set(children(child(ctx.soap.body, 'contactIds'), 'guid').map((g) => (textOf(g) ?? '').trim().toLowerCase()));
      const b = await readBook(core, ctx.principal, false, undefined);
      const found = b.contacts.filter((c) => c.contactId !== b.owner.accountId && wanted.has(c.guid.toLowerCase()));
      return {
        header: serviceHeader(ctx.req),
        body:
          `<ABFindByContactsResponse xmlns="${AB_NS}"><ABFindByContactsResult><contacts>` +
          `${found.map((c) => regularContact(c, b.groupGuids, abTime(b.contactAt(c.contactId)))).join('')}</contacts>` +
          `${abElement('ab', b, created)}</ABFindByContactsResult></ABFindByContactsResponse>`,
      };
    },
    async ABFindContactsPaged(ctx) {
      // A circle's book (abHandle/ABId): msnpd has no circles.
      const abId = textOf(child(ctx.soap.body, 'abHandle', 'ABId'))?.trim();
      if (abId && abId !== OWN_AB_ID) throw abDoesNotExist();
      const filter = child(ctx.soap.body, 'filterOptions');
      const b = await readBook(core, ctx.principal, boolOf(child(filter, 'DeltasOnly')), textOf(child(filter, 'LastChanged')));
      return {
        header: serviceHeader(ctx.req),
        body:
          `<ABFindContactsPagedResponse xmlns="${AB_NS}"><ABFindContactsPagedResult>${groupsAndContacts(b, 'Groups', 'Contacts')}` +
          `<CircleResult><CircleTicket>${circleTicket(ctx)}</CircleTicket></CircleResult>` +
          `${abElement('Ab', b, created)}</ABFindContactsPagedResult></ABFindContactsPagedResponse>`,
      };
    },
  };
}
