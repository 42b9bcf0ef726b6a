// Gateway requests per address (IPv6 per prefix, as every per-address limit).
import { addressKey, DEFAULT_IPV6_PREFIX } from '../../net/address.js';
import { RateBuckets } from '../../net/rate-buckets.js';

export class AddressRate {
  private readonly buckets: RateBuckets<string>;

  constructor(rate: number, burst: number, private readonly ipv6Prefix = DEFAULT_IPV6_PREFIX) {
    this.buckets = new RateBuckets(rate, burst);
  }

  /** Counts one request; false if the address is over its rate. */
  take(ip: string, now: number): boolean {
    return this.buckets.take(addressKey(ip, this.ipv6Prefix), now);
  }
}
