import { config } from '../../lib/config'
import { TokenBuckets } from '../../lib/limits/token-buckets'
import { isLoopback } from './rate-limit'

// The front door's limit on everything that is not ingest (pages, API,
// assets), per client address. Those requests go through Next.js, which
// costs milliseconds each: without it one address flooding the login form or
// any page takes the cores ingest needs. Refused on node:http, before Next.js
// does any work. Loopback peers are exempt unless STALEWATCH_RATE_LIMIT_LOOPBACK=1,
// as for ingest: without a trusted proxy a local reverse proxy is one address.

export type AddressVerdict = { ok: true } | { ok: false; retryAfterSeconds: number }

export interface AddressLimiter {
  check(address: string | null | undefined, now?: number): AddressVerdict
}

export function addressLimiter(spec = { perSecond: config().httpRatePerAddress, burst: config().httpBurstPerAddress }, exemptLoopback = !config().limitLoopback): AddressLimiter {
  const buckets = new TokenBuckets(spec)
  return {
    check(address, now = Date.now()) {
      if (!address || (exemptLoopback && isLoopback(address))) return { ok: true }
      const wait = buckets.take(address, now)
      return wait === 0 ? { ok: true } : { ok: false, retryAfterSeconds: wait }
    },
  }
}
