// SharingService AddMember and DeleteMember (`/abservice/SharingService.asmx`):
// the allow and block lists, and the acknowledgement of someone who added
// the owner (reverse/pending), as core ContactService operations (services.md
// §5; msnab_servicetypes.xsd AddMemberRequestType/DeleteMemberRequestType,
// both answered with an empty response element).
import type { Core } from '../../core/core.js';
import { CoreError } from '../../core/errors.js';
import type { Principal } from './auth.js';
import { addressOf, contactByMembershipId, readRefs, type Refs } from './book-refs.js';
import { coreFault, orFault } from './core-faults.js';
import { child, children, textOf } from './envelope.js';
import type { SoapAction, SoapContext } from './endpoint.js';
import { SoapFault } from './fault.js';
import { AB_NS, serviceHeader } from './service-header.js';

type Role = 'Allow' | 'Block' | 'Reverse' | 'Pending';
const ROLES: readonly Role[] = ['Allow', 'Block', 'Reverse', 'Pending'];

interface MemberRef {
  role: Role;
  /** The member's address: from PassportName (or Email), else from a known MembershipId. */
  email?: string;
}

/**
 * The members a request names, by role. A member is named by `PassportName`
 * (MSNPSharp, WLM; `Email` for an EmailMember) or by `MembershipId` (Pidgin
 * 2.11 on DeleteMember); an id that names no entry leaves `email` unset.
 */
function membersOf(ctx: SoapContext, r: Refs): MemberRef[] {
  const body = ctx.soap.body;
  // COMPAT: Pidgin 2.11 sends serviceHandle Id 0, MSNPSharp Id 1; only the Type matters.
  const type = textOf(child(body, 'serviceHandle', 'Type'))?.trim();
  if (type !== undefined && type !== 'Messenger') throw SoapFault.client(`Invalid argument: service ${type}`, 'BadArgument');
  const out: MemberRef[] = [];
  for (const m of children(child(body, 'memberships'), 'Membership')) {
    const role = textOf(child(m, 'MemberRole'))?.trim() as Role;
    if (!ROLES.includes(role)) throw SoapFault.client(`Invalid argument: role ${role ?? ''}`, 'BadArgument');
    for (const member of children(child(m, 'Members'), 'Member')) {
      const name = textOf(child(member, 'PassportName')) ?? textOf(child(member, 'Email'));
      if (name !== undefined) out.push({ role, email: addressOf(name, 'member') });
      else out.push({ role, email: contactByMembershipId(r, textOf(child(member, 'MembershipId')))?.email });
    }
  }
  if (out.length === 0) throw SoapFault.client('Invalid argument: no member', 'BadArgument');
  return out;
}

/** AddMember of the ProfileExpression role on the Profile service (the roaming-profile seed). */
function isProfileShare(ctx: SoapContext): boolean {
  const body = ctx.soap.body;
  if (textOf(child(body, 'serviceHandle', 'Type'))?.trim() !== 'Profile') return false;
  const roles = children(child(body, 'memberships'), 'Membership').map((m) => textOf(child(m, 'MemberRole'))?.trim());
  return roles.length > 0 && roles.every((r) => r === 'ProfileExpression');
}

const notAMember = () => coreFault(new CoreError('not-on-list'), 'member');

/**
 * Reverse and Pending are the server's lists: adding someone to Reverse
 * (MSNPSharp 3.2.1, after accepting an add) or removing them from Pending or
 * Reverse (Pidgin 2.11, WLM) is the owner having seen the add, the pending
 * mark goes, as MSNP10-12 `ADC RL`/`REM PL`. Never a fault (clients treat
 * errors there as fatal; ContactService.settlePending), also for a member
 * no entry matches (COMPAT: Pidgin 2.11 sends MembershipId 0 when it had none).
 */
async function settle(core: Core, who: Principal, email: string | undefined): Promise<void> {
  if (email !== undefined) await core.contacts.settlePending(who.accountId, email);
}

export function sharingWriteActions(core: Core): Record<string, SoapAction> {
  const done = (ctx: SoapContext, action: string) => ({ header: serviceHeader(ctx.req), body: `<${action}Response xmlns="${AB_NS}" />` });
  return {
    async AddMember(ctx) {
      const who = ctx.principal;
      // COMPAT: MSNPSharp 3.2.1 (StorageService.cs, after CreateProfile) and WLM 2009 share the new
      // roaming profile: serviceHandle Type Profile, ForeignId MyProfile, a ProfileExpression role
      // member `Allow`. msnpd's profile is always visible to whom the lists allow, so it is acknowledged.
      if (isProfileShare(ctx)) return done(ctx, 'AddMember');
      for (const m of membersOf(ctx, await readRefs(core, who))) {
        if (m.role === 'Reverse') await settle(core, who, m.email);
        else if (m.role === 'Pending') throw SoapFault.client('Invalid argument: the Pending role is kept by the server', 'BadArgument');
        else {
          const email = m.email;
          if (email === undefined) throw notAMember();
          await orFault('member', () => core.contacts.add(who.accountId, m.role === 'Allow' ? 'AL' : 'BL', email));
        }
      }
      return done(ctx, 'AddMember');
    },

    async DeleteMember(ctx) {
      const who = ctx.principal;
      for (const m of membersOf(ctx, await readRefs(core, who))) {
        if (m.role === 'Reverse' || m.role === 'Pending') await settle(core, who, m.email);
        else {
          const email = m.email;
          if (email === undefined) throw notAMember();
          await orFault('member', () => core.contacts.remove(who.accountId, m.role === 'Allow' ? 'AL' : 'BL', email));
        }
      }
      return done(ctx, 'DeleteMember');
    },
  };
}
