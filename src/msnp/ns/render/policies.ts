// The policies document pushed as `GCF 0 <len>` before the USR challenge
// (MSNP13+, flows.md §4.1): nothing blocked. The checksum is the upper-case
// MD5 of the policy's body: that gives flows.md's value for this policy.
import { createHash } from 'node:crypto';

const SHIELDS_BODY = '<config><shield><cli maj="7" min="0" minbld="0" maxbld="9999" deny=" " /></shield><block></block></config>';

export const POLICIES = `<Policies><Policy type="SHIELDS" checksum="${createHash('md5').update(SHIELDS_BODY).digest('hex').toUpperCase()}">${SHIELDS_BODY}</Policy></Policies>`;
