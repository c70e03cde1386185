import { FairShareBuckets } from '../../lib/limits/fair-share'
import { TokenBuckets, type BucketSpec } from '../../lib/limits/token-buckets'

// Token buckets in memory, one per client address, and one per ingest key
// shared fairly by the addresses that use it (lib/limits/fair-share.ts): the
// key is public, so one address flooding it must not take the heartbeats of
// real tabs elsewhere away. They are per node: behind a load balancer with n
// nodes a client may reach n times the rate (docs/security.md).

export interface RateLimitOptions {
  perKey: BucketSpec
  perAddress: BucketSpec
  /** Loopback clients skip the per-address limit: without a trusted proxy every request from a local reverse proxy would share one bucket. */
  exemptLoopback: boolean
}

export type RateVerdict = { ok: true } | { ok: false; scope: 'key' | 'address'; retryAfterSeconds: number }

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

export class IngestRateLimiter {
  private readonly byKey: FairShareBuckets
  private readonly byAddress: TokenBuckets

  constructor(private readonly options: RateLimitOptions) {
    this.byKey = new FairShareBuckets(options.perKey)
    this.byAddress = new TokenBuckets(options.perAddress)
  }

  /** The address is checked before the key is known, so unknown-key floods are limited too. */
  checkAddress(address: string | null | undefined, now = Date.now()): RateVerdict {
    if (!address || (this.options.exemptLoopback && isLoopback(address))) return { ok: true }
    const wait = this.byAddress.take(address, now)
    return wait === 0 ? { ok: true } : { ok: false, scope: 'address', retryAfterSeconds: wait }
  }

  /** The key's budget, of which `address` has its fair share whatever other addresses spend (loopback included: a lone local proxy's share is the whole budget). */
  checkKey(key: string, address: string | null | undefined, now = Date.now()): RateVerdict {
    const wait = this.byKey.take(key, address, now)
    return wait === 0 ? { ok: true } : { ok: false, scope: 'key', retryAfterSeconds: wait }
  }
}
