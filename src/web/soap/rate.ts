// Requests per account on the SOAP services, shared by every ticket of the
// account (a ticket is one sign-in; an account holds at most 16).
import { RateBuckets } from '../../net/rate-buckets.js';

export class AccountRate extends RateBuckets<number> {}
