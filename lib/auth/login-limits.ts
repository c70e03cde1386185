import { config } from '../config'
import { processSingleton } from '../process-singleton'
import { TokenBuckets } from '../limits/token-buckets'

// Login attempts, password and token form alike, limited per client address
// (STALEWATCH_LOGIN_PER_IP_PER_MINUTE) and in total
// (STALEWATCH_LOGIN_PER_MINUTE). Each bucket holds one minute's worth, so a
// quiet minute allows that many at once. An attempt refused for its address
// spends nothing of the total: one guesser cannot use up everybody's logins.
// The total gates only addresses that failed a login in the last
// FAILURE_MEMORY_MS: guessers spread over many addresses meet it from their
// second guess on, while the admin, from an address that has not failed, is
// never starved by them. A request without a known address (Next.js alone,
// no trusted proxy) meets the total only.

/** How long a failed login marks its address as one the total gates. */
const FAILURE_MEMORY_MS = 15 * 60_000
const MAX_REMEMBERED_FAILURES = 100_000

export type LoginAdmission = { ok: true } | { ok: false; retryAfterSeconds: number }

export class LoginLimiter {
  private readonly byAddress: TokenBuckets
  private readonly total: TokenBuckets
  /** Addresses with a failed login, by when it was (in insertion order: oldest first). */
  private readonly failedAt = new Map<string, number>()

  constructor(perAddressPerMinute: number, perMinute: number) {
    this.byAddress = new TokenBuckets({ perSecond: perAddressPerMinute / 60, burst: perAddressPerMinute }, 10_000)
    this.total = new TokenBuckets({ perSecond: perMinute / 60, burst: perMinute })
  }

  admit(address: string | null, now = Date.now()): LoginAdmission {
    if (address) {
      const wait = this.byAddress.take(address, now)
      if (wait > 0) return { ok: false, retryAfterSeconds: wait }
      if (!this.failedRecently(address, now)) return { ok: true }
    }
    const wait = this.total.take('all', now)
    return wait > 0 ? { ok: false, retryAfterSeconds: wait } : { ok: true }
  }

  /** A wrong password or token from `address`: its next attempts meet the total too. */
  failed(address: string | null, now = Date.now()): void {
    if (!address) return
    this.failedAt.delete(address)
    this.failedAt.set(address, now)
    for (const [oldest, at] of this.failedAt) {
      if (this.failedAt.size <= MAX_REMEMBERED_FAILURES && now - at < FAILURE_MEMORY_MS) break
      this.failedAt.delete(oldest)
    }
  }

  private failedRecently(address: string, now: number): boolean {
    const at = this.failedAt.get(address)
    return at !== undefined && now - at < FAILURE_MEMORY_MS
  }
}

// One per process (lib/process-singleton.ts), shared by every bundle that serves the login route.
export function loginLimiter(): LoginLimiter {
  return processSingleton('loginLimiter', () => new LoginLimiter(config().loginPerAddressPerMinute, config().loginPerMinute))
}
