// ABService write actions (`/abservice/abservice.asmx`): contacts and groups
// of the owner's address book, each one an operation of the core's
// ContactService, the same MSNP2-12 commands use, so list invariants,
// privacy and the reverse-list notices hold whichever front made the change.
// Every change has committed before its answer goes out. Request and answer
// shapes: msnab_servicetypes.xsd (msnp-sharp MSNPSHARP_31_STABLE), services.md §4.
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import { LIST_BITS } from '../../core/model.js';
import type { Principal } from './auth.js';
import { addressOf, checkAbId, contactByGuid, groupByGuid, readRefs, type Refs } from './book-refs.js';
import { coreFault, orFault } from './core-faults.js';
import { boolOf, child, children, textOf } from './envelope.js';
import type { SoapAction, SoapAnswer, SoapContext } from './endpoint.js';
import { SoapFault } from './fault.js';
import { meContactId, OWN_AB_ID } from './ids.js';
import { AB_NS, serviceHeader } from './service-header.js';
import { el } from './xml.js';

function answer(ctx: SoapContext, action: string, result = ''): SoapAnswer {
  return { header: serviceHeader(ctx.req), body: `<${action}Response xmlns="${AB_NS}">${result}</${action}Response>` };
}

function badArgument(what: string): SoapFault {
  return SoapFault.client(`Invalid argument: ${what}`, 'BadArgument');
}

/** The `Contact` elements of `contacts`; at least one. */
function contactsOf(body: unknown): unknown[] {
  const list = children(child(body, 'contacts'), 'Contact');
  if (list.length === 0) throw badArgument('no contact');
  return list;
}

/** `propertiesChanged`: a space-separated list (DisplayName, Annotation, IsMessengerUser, ...). */
function changed(c: unknown): Set<string> {
  return new Set((textOf(child(c, 'propertiesChanged')) ?? '').split(/\s+/).filter(Boolean));
}

/** The guids of `groupFilter/groupIds`, resolved; an unknown one is GroupDoesNotExist. */
function filterGroups(body: unknown, r: Refs): number[] {
  const guids = children(child(body, 'groupFilter', 'groupIds'), 'guid').map((g) => textOf(g));
  if (guids.length === 0) throw badArgument('no group');
  return guids.map((g) => {
    const group = groupByGuid(r, g);
    if (!group) throw coreFault(new CoreError('no-such-group'), 'contact');
    return group.id;
  });
}

/**
 * Puts `email` on the forward list (in `groupId`), and with
 * EnableAllowListManagement on the allow list unless it is blocked: what the
 * option asks (WLM 2009 and MSNPSharp send it on every add). Returns the
 * entry's GUID. A contact already there is `Contact Already Exists` with its
 * GUID as `conflictObjectId` (COMPAT: MSNPSharp 3.2.1 reads it from there).
 */
async function addToForward(core: Core, who: Principal, email: string, groupId: number | undefined, allow: boolean): Promise<string> {
  let guid: string;
  try {
    guid = (await core.contacts.add(who.accountId, 'FL', email, groupId)).guid;
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    const existing = e.kind === 'already-on-list' ? (await readRefs(core, who)).contacts.find((c) => c.email === email) : undefined;
    throw coreFault(e, 'contact', existing?.guid);
  }
  if (allow) {
    try {
      await core.contacts.add(who.accountId, 'AL', email);
    } catch (e) {
      // Already allowed, or blocked (the block stands): the forward-list add is what was asked.
      if (!(e instanceof CoreError && (e.kind === 'already-on-list' || e.kind === 'in-opposite-list'))) throw coreFault(e, 'contact');
    }
  }
  return guid;
}

/** The address a new contact's `contactInfo` names: `passportName`, else its first e-mail. */
function newContactAddress(info: unknown): string {
  const raw = textOf(child(info, 'passportName')) ?? textOf(child(info, 'emails', 'ContactEmail', 'email'));
  if (raw === undefined) throw badArgument('the contact has no passportName');
  // msnpd keeps messenger contacts only: the forward list is the address book's messenger users (services.md §5).
  const mu = child(info, 'isMessengerUser');
  if (mu !== undefined && !boolOf(mu)) throw badArgument('only messenger contacts (isMessengerUser true) are kept');
  return addressOf(raw, 'contact');
}

/** The owner's own contact: `contactType` Me (Pidgin sends no contactId for it) or its GUID. */
function isMe(c: unknown, who: Principal): boolean {
  const id = textOf(child(c, 'contactId'))?.trim().toLowerCase();
  return textOf(child(c, 'contactInfo', 'contactType'))?.trim() === 'Me' || id === meContactId(who.accountId);
}

/** An update of the owner's "Me" contact: the friendly name, and privacy/prompt kept as annotations. */
async function updateMe(core: Core, who: Principal, c: unknown): Promise<void> {
  const props = changed(c);
  const info = child(c, 'contactInfo');
  if (props.has('DisplayName')) {
    const name = textOf(child(info, 'displayName')) ?? '';
    await orFault('contact', () => core.contacts.setFriendlyName(who.accountId, name));
  }
  if (props.has('Annotation')) {
    for (const a of children(child(info, 'annotations'), 'Annotation')) {
      const name = textOf(child(a, 'Name'))?.trim();
      const value = textOf(child(a, 'Value'))?.trim();
      // The annotations ABFindAll shows on Me (docs/decisions.md): BLP 1 = AL, GTC 1 = prompt (A).
      if (name === 'MSN.IM.BLP') await orFault('contact', () => core.contacts.setPrivacy(who.accountId, value === '1' ? 'AL' : 'BL'));
      else if (name === 'MSN.IM.GTC') await orFault('contact', () => core.contacts.setAddPrompt(who.accountId, value === '1' ? 'A' : 'N'));
    }
  }
}

/**
 * An update of a contact: IsMessengerUser puts it on or takes it off the
 * forward list; other properties (the contact's display name, which Pidgin
 * sends to keep its cache current) are nothing the server keeps, but the
 * entry must exist and the list version moves, as for MSNP `REA` of a contact.
 */
async function updateContact(core: Core, who: Principal, r: Refs, c: unknown): Promise<void> {
  const entry = contactByGuid(r, textOf(child(c, 'contactId')));
  if (!entry) throw coreFault(new CoreError('not-on-list'), 'contact');
  const props = changed(c);
  if (props.has('IsMessengerUser')) {
    const messenger = boolOf(child(c, 'contactInfo', 'isMessengerUser'));
    const onFl = (entry.lists & LIST_BITS.FL) !== 0;
    if (messenger && !onFl) return void (await orFault('contact', () => core.contacts.add(who.accountId, 'FL', entry.email)));
    if (!messenger && onFl) return void (await orFault('contact', () => core.contacts.remove(who.accountId, 'FL', entry.email)));
  }
  await orFault('contact', () => core.contacts.touchContact(who.accountId, entry.email));
}

/** A contact the request names by `contactId`, on the forward list. */
function forwardContact(r: Refs, c: unknown) {
  const entry = contactByGuid(r, textOf(child(c, 'contactId')));
  if (!entry || !(entry.lists & LIST_BITS.FL)) throw coreFault(new CoreError('not-on-list'), 'contact');
  return entry;
}

export function abWriteActions(core: Core): Record<string, SoapAction> {
  return {
    async ABContactAdd(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const allow = boolOf(child(body, 'options', 'EnableAllowListManagement'));
      let first: string | undefined;
      for (const c of contactsOf(body)) {
        const guid = await addToForward(core, ctx.principal, newContactAddress(child(c, 'contactInfo')), undefined, allow);
        first ??= guid;
      }
      return answer(ctx, 'ABContactAdd', `<ABContactAddResult>${el('guid', first!)}</ABContactAddResult>`);
    },

    async ABContactDelete(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const r = await readRefs(core, ctx.principal);
      for (const c of contactsOf(body)) {
        const entry = forwardContact(r, c);
        await orFault('contact', () => core.contacts.remove(ctx.principal.accountId, 'FL', entry.email));
      }
      return answer(ctx, 'ABContactDelete');
    },

    async ABContactUpdate(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const r = await readRefs(core, ctx.principal);
      for (const c of contactsOf(body)) {
        if (isMe(c, ctx.principal)) await updateMe(core, ctx.principal, c);
        else await updateContact(core, ctx.principal, r, c);
      }
      return answer(ctx, 'ABContactUpdate');
    },

    async ABGroupAdd(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const name = textOf(child(body, 'groupInfo', 'GroupInfo', 'name'));
      if (!name) throw badArgument('the group has no name');
      const g = await orFault('contact', () => core.contacts.addGroup(ctx.principal.accountId, name));
      return answer(ctx, 'ABGroupAdd', `<ABGroupAddResult>${el('guid', g.group.guid)}</ABGroupAddResult>`);
    },

    async ABGroupDelete(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const r = await readRefs(core, ctx.principal);
      for (const id of filterGroups(body, r)) await orFault('contact', () => core.contacts.removeGroup(ctx.principal.accountId, id));
      return answer(ctx, 'ABGroupDelete');
    },

    async ABGroupUpdate(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const r = await readRefs(core, ctx.principal);
      const groups = children(child(body, 'groups'), 'Group');
      if (groups.length === 0) throw badArgument('no group');
      for (const g of groups) {
        const group = groupByGuid(r, textOf(child(g, 'groupId')));
        if (!group) throw coreFault(new CoreError('no-such-group'), 'contact');
        const name = textOf(child(g, 'groupInfo', 'name'));
        // Renaming is the one group property msnpd keeps; others are acknowledged.
        if (name === undefined || !changed(g).has('GroupName')) continue;
        if (name === '') throw badArgument('the group has no name');
        await orFault('contact', () => core.contacts.renameGroup(ctx.principal.accountId, group.id, name));
      }
      return answer(ctx, 'ABGroupUpdate');
    },

    async ABGroupContactAdd(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const r = await readRefs(core, ctx.principal);
      const [groupId] = filterGroups(body, r);
      const allow = boolOf(child(body, 'groupContactAddOptions', 'EnableAllowListManagement'));
      let first: string | undefined;
      for (const c of contactsOf(body)) {
        // By contactId (a contact in the book), or, COMPAT Pidgin 2.11, by a new contact's contactInfo/passportName.
        const id = textOf(child(c, 'contactId'));
        const email = id !== undefined ? forwardContact(r, c).email : newContactAddress(child(c, 'contactInfo'));
        const guid = await addToForward(core, ctx.principal, email, groupId, id === undefined && allow);
        first ??= guid;
      }
      return answer(ctx, 'ABGroupContactAdd', `<ABGroupContactAddResult>${el('guid', first!)}</ABGroupContactAddResult>`);
    },

    async ABGroupContactDelete(ctx) {
      const body = ctx.soap.body;
      checkAbId(body);
      const r = await readRefs(core, ctx.principal);
      const groupIds = filterGroups(body, r);
      for (const c of contactsOf(body)) {
        const entry = forwardContact(r, c);
        for (const g of groupIds) await orFault('contact', () => core.contacts.remove(ctx.principal.accountId, 'FL', entry.email, g));
      }
      return answer(ctx, 'ABGroupContactDelete');
    },

    /**
     * The owner's "dynamic item" (the profile-change notification contacts
     * subscribe to): msnpd keeps none, the notice comes from the notification
     * server. Acknowledged, because MSNPSharp 3.2.1 reports a failed
     * UpdateDynamicItem to the application ("You don't receive any contact
     * updates") and then tries AddDynamicItem (captures, lines 43-51).
     */
    UpdateDynamicItem(ctx) {
      checkAbId(ctx.soap.body);
      return answer(ctx, 'UpdateDynamicItem');
    },
    AddDynamicItem(ctx) {
      checkAbId(ctx.soap.body);
      return answer(ctx, 'AddDynamicItem');
    },

    /**
     * Every account has its book from the start; ABAdd (MSNPSharp calls it
     * after an ABDoesNotExist fault, then fetches again) answers with that
     * book's id, for the owner's own address only.
     */
    async ABAdd(ctx) {
      const owner = textOf(child(ctx.soap.body, 'abInfo', 'ownerEmail'))?.trim().toLowerCase();
      if (owner && owner !== ctx.principal.email.toLowerCase()) throw badArgument('ownerEmail is not the signed-in account');
      await readRefs(core, ctx.principal);
      return { header: serviceHeader(ctx.req), body: `<ABAddResponse xmlns="${AB_NS}">${el('ABAddResult', OWN_AB_ID)}</ABAddResponse>` };
    },
  };
}
