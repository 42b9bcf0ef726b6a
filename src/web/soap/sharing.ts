// SharingService (`/abservice/SharingService.asmx`) FindMembership: the
// allow, block, reverse and pending lists as the Messenger service's
// memberships (services.md §5; msnab_datatypes.xsd ServiceType, Membership,
// BaseMember/PassportMember; FindMembershipResultType with OwnerNamespace).
import { LIST_BITS, type Contact } from '../../core/model.js';
import type { Core } from '../../core/core.js';
import { readBook, type BookView } from './book.js';
import { boolOf, child, children, textOf } from './envelope.js';
import type { SoapAction } from './endpoint.js';
import { cidOf, OWN_AB_ID } from './ids.js';
import { AB_NS, serviceHeader } from './service-header.js';
import { abTime, el, NEVER } from './xml.js';

/** Roles in the order the service listed them, with the list each one is. */
const ROLES: [string, number][] = [
  ['Allow', LIST_BITS.AL],
  ['Block', LIST_BITS.BL],
  ['Reverse', LIST_BITS.RL],
  ['Pending', LIST_BITS.PL],
];

function member(c: Pick<Contact, 'contactId' | 'email' | 'friendlyName'>, at: string, deleted = false): string {
  // COMPAT: Pidgin 2.11 crashes on a Member without xsi:type; MembershipId must
  // fit a signed 32-bit integer (Pidgin, MSNPSharp), it is echoed in DeleteMember
  // together with the role, so the contact's account id serves (client-quirks.md).
  return (
    `<Member xsi:type="PassportMember">${el('MembershipId', c.contactId)}${el('Type', 'Passport')}` +
    (c.friendlyName ? el('DisplayName', c.friendlyName) : '') +
    `${el('State', 'Accepted')}${el('Deleted', deleted)}${el('LastChanged', at)}${el('JoinedDate', at)}${el('ExpirationDate', NEVER)}<Changes />` +
    `${el('PassportName', c.email)}${el('IsPassportNameHidden', false)}${el('PassportId', 0)}${el('CID', cidOf(c.contactId))}<PassportChanges /></Member>`
  );
}

function messengerService(b: BookView): string {
  const at = abTime(b.at);
  let memberships = '';
  if (!b.unchanged) {
    // COMPAT: MSNPSharp 3.2.1 applies a member (added or `Deleted`) only when its LastChanged is later than the one it holds.
    const parts = ROLES.map(([role, bit]) => {
      const members = b.contacts.filter((c) => c.lists & bit).map((c) => member(c, abTime(b.contactAt(c.contactId))));
      const gone = b.removedContacts.filter((r) => r.lists & bit).map((r) => member({ contactId: r.contactId, email: r.email, friendlyName: '' }, abTime(r.at), true));
      const all = [...members, ...gone];
      return all.length ? `<Membership>${el('MemberRole', role)}<Members>${all.join('')}</Members>${el('MembershipIsComplete', !b.delta)}</Membership>` : '';
    });
    memberships = `<Memberships>${parts.join('')}</Memberships>`;
  }
  // COMPAT: Pidgin 2.11 ignores a service whose Info/Handle/Type is not Messenger.
  return (
    `<Service>${memberships}<Info><Handle>${el('Id', 1)}${el('Type', 'Messenger')}<ForeignId /></Handle>` +
    `${el('InverseRequired', false)}${el('AuthorizationCriteria', 'Everyone')}${el('IsBot', false)}</Info>` +
    `<Changes />${el('LastChange', at)}${el('Deleted', false)}</Service>`
  );
}

function ownerNamespace(b: BookView): string {
  const at = abTime(b.at);
  return (
    `<OwnerNamespace><Info><Handle>${el('Id', OWN_AB_ID)}${el('IsPassportNameHidden', false)}${el('CID', 0)}</Handle>` +
    `${el('CreatorPuid', 0)}${el('CreatorCID', cidOf(b.owner.accountId))}${el('CreatorPassportName', b.owner.email)}` +
    `<CircleAttributes>${el('IsPresenceEnabled', false)}${el('Domain', 'WindowsLive')}</CircleAttributes>${el('MessengerApplicationServiceCreated', false)}</Info>` +
    `<Changes />${el('CreateDate', abTime(0n))}${el('LastChange', at)}</OwnerNamespace>`
  );
}

export function sharingActions(core: Core): Record<string, SoapAction> {
  return {
    async FindMembership(ctx) {
      const body = ctx.soap.body;
      const types = children(child(body, 'serviceFilter', 'Types'), 'ServiceType').map((t) => textOf(t)?.trim());
      const b = await readBook(core, ctx.principal, boolOf(child(body, 'deltasOnly')), textOf(child(body, 'lastChange')));
      // Only the Messenger service holds anything; other requested types (Invitation, Space, Profile…) have no memberships here.
      const services = types.includes('Messenger') ? messengerService(b) : '';
      return {
        header: serviceHeader(ctx.req),
        body: `<FindMembershipResponse xmlns="${AB_NS}"><FindMembershipResult><Services>${services}</Services>${ownerNamespace(b)}</FindMembershipResult></FindMembershipResponse>`,
      };
    },
  };
}
