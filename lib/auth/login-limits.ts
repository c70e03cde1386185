import { config } from '../config'
import { processSingleton } from '../process-singleton'
import { TokenBuckets } from '../limits/token-buckets'

// Login attempts, password and token form alike, limited per client address
// (STALEWATCH_LOGIN_PER_IP_PER_MINUTE) and in total
// (STALEWATCH_LOGIN_PER_MINUTE). Each bucket holds one minute's worth, so a
// quiet minute allows that many at once. An attempt refused for its address
// spends nothing of the total: one guesser cannot use up everybody's logins.
// A request without a known address (Next.js alone, no trusted proxy) meets
// the total only.

export type LoginAdmission = { ok: true } | { ok: false; retryAfterSeconds: number }

export class LoginLimiter {
  private readonly byAddress: TokenBuckets
  private readonly total: TokenBuckets

  constructor(perAddressPerMinute: number, perMinute: number) {
    this.byAddress = new TokenBuckets({ perSecond: perAddressPerMinute / 60, burst: perAddressPerMinute }, 10_000)
    this.total = new TokenBuckets({ perSecond: perMinute / 60, burst: perMinute })
  }

  admit(address: string | null, now = Date.now()): LoginAdmission {
    if (address) {
      const wait = this.byAddress.take(address, now)
      if (wait > 0) return { ok: false, retryAfterSeconds: wait }
    }
    const wait = this.total.take('all', now)
    return wait > 0 ? { ok: false, retryAfterSeconds: wait } : { ok: true }
  }
}

// One per process (lib/process-singleton.ts), shared by every bundle that serves the login route.
export function loginLimiter(): LoginLimiter {
  return processSingleton('loginLimiter', () => new LoginLimiter(config().loginPerAddressPerMinute, config().loginPerMinute))
}
