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
  const admission = loginLimiter().admit(input.address)
  if (!admission.ok) return { ok: false, reason: 'rate_limited', retryAfterSeconds: admission.retryAfterSeconds }
  if (!input.password) return input.token !== '' && secretsEqual(input.token, adminToken()) ? { ok: true } : { ok: false, reason: 'token' }
  try {
    return (await checkPassword(input.password)) ? { ok: true } : { ok: false, reason: 'password' }
  } catch (error) {
    if (error instanceof BusyError) return { ok: false, reason: 'busy', retryAfterSeconds: 1 }
    throw error
  }
}
