import { describe, expect, it } from 'vitest'
import { adminToken } from '@/lib/auth/admin-token'
import { CSRF_COOKIE, newCsrfToken } from '@/lib/auth/csrf'
import { useEngine } from '../../support/engine'

// Login attempts are limited per client address and in total, for the
// password form and the token form alike. The address comes from
// X-Forwarded-For here (this process trusts a proxy), so one test can play
// many clients.

process.env.STALEWATCH_TRUST_PROXY = '1'
process.env.STALEWATCH_LOGIN_PER_IP_PER_MINUTE = '3'
process.env.STALEWATCH_LOGIN_PER_MINUTE = '10'
process.env.STALEWATCH_ADMIN_PASSWORD = 'the dashboard password'

useEngine()

const csrf = newCsrfToken()

async function attempt(address: string, fields: Record<string, string>, accept = 'application/json'): Promise<Response> {
  const { POST } = await import('@/app/api/auth/login/route')
  return POST(
    new Request('http://dash.test/api/auth/login', {
      method: 'POST',
      body: new URLSearchParams({ csrf, ...fields }),
      headers: { host: 'dash.test', cookie: `${CSRF_COOKIE}=${csrf}`, 'x-forwarded-for': address, accept },
    }),
  )
}

describe('login limits', () => {
  it('limits attempts per address with a JSON 429 and Retry-After, for the password and the token form, and tells a browser on the login page', async () => {
    const wrong = await Promise.all([1, 2, 3].map(() => attempt('198.51.100.1', { password: 'not the password' })))
    expect(wrong.map((r) => r.headers.get('location'))).toEqual(Array(3).fill('/login?error=password'))

    const limited = await attempt('198.51.100.1', { password: 'not the password' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const body = (await limited.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('rate_limited')
    expect(body.error.message).toMatch(/too many login attempts/i)

    // The right password from a limited address waits too: the limit comes before the check.
    expect((await attempt('198.51.100.1', { password: 'the dashboard password' })).status).toBe(429)
    // A browser's form post is sent back to the login page, which says when to retry.
    const browser = await attempt('198.51.100.1', { password: 'the dashboard password' }, 'text/html,application/xhtml+xml')
    expect(browser.status).toBe(303)
    expect(browser.headers.get('location')).toMatch(/^\/login\?error=rate_limited&retry=\d+$/)
    expect(Number(browser.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)

    // The token form shares the limit.
    const tokens = []
    for (let i = 0; i < 4; i++) tokens.push((await attempt('198.51.100.2', { token: `swa_wrong_${i}` })).status)
    expect(tokens).toEqual([303, 303, 303, 429])

    // Another address is not held back by these.
    const other = await attempt('198.51.100.3', { token: adminToken() })
    expect(other.headers.get('location')).toBe('/')
  })

  it('limits repeated attempts from addresses that failed, in total, and never starves a correct login from an address without failures', async () => {
    // The test above spent 4 of the 10 a minute: a first attempt from an
    // address without failures spends none, an attempt refused for its address none.
    const guessers = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 1}`)
    const first: number[] = []
    for (const address of guessers) first.push((await attempt(address, { password: 'not the password' })).status)
    expect(first).toEqual(Array(20).fill(303))
    const again: number[] = []
    for (const address of guessers) again.push((await attempt(address, { password: 'not the password' })).status)
    // About 6 left of the total (more if the minute refilled some while the hashes ran), then 429.
    expect(new Set(again)).toEqual(new Set([303, 429]))
    expect(again.at(-1)).toBe(429)
    const limited = await attempt('203.0.113.20', { password: 'not the password' })
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(/too many login attempts/i)

    // Meanwhile the admin, from addresses that never failed, logs in every time.
    const logins: (string | null)[] = []
    for (let i = 0; i < 9; i++) logins.push((await attempt(`198.51.100.${100 + i}`, { password: 'the dashboard password' })).headers.get('location'))
    expect(logins).toEqual(Array(9).fill('/'))
  }, 180_000)
})
