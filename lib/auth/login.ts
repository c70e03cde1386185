import { secretsEqual } from '../ids'
import { BusyError } from '../limits/bounded-work'
import { adminToken } from './admin-token'
import { loginLimiter } from './login-limits'
import { checkPassword } from './password'

// One login attempt, whichever form it came from: the limits first (a limited
// attempt is never hashed), then the password (at bounded concurrency) or
// the admin token.

export type LoginOutcome =
  | { ok: true }
  | { ok: false; reason: 'password' | 'token'; retryAfterSeconds?: undefined }
  | { ok: false; reason: 'rate_limited' | 'busy'; retryAfterSeconds: number }

export async function attemptLogin(input: { password: string; token: string; address: string | null }): Promise<LoginOutcome> {
  const limiter = loginLimiter()
  const admission = limiter.admit(input.address)
  if (!admission.ok) return { ok: false, reason: 'rate_limited', retryAfterSeconds: admission.retryAfterSeconds }
  const failed = (reason: 'password' | 'token'): LoginOutcome => {
    limiter.failed(input.address)
    return { ok: false, reason }
  }
  if (!input.password) return input.token !== '' && secretsEqual(input.token, adminToken()) ? { ok: true } : failed('token')
  try {
    return (await checkPassword(input.password)) ? { ok: true } : failed('password')
  } catch (error) {
    if (error instanceof BusyError) return { ok: false, reason: 'busy', retryAfterSeconds: 1 }
    throw error
  }
}
