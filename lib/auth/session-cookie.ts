import { createHmac, randomBytes } from 'node:crypto'
import { secretsEqual } from '../ids'
import { adminToken } from './admin-token'

// Dashboard sessions: a signed, HttpOnly cookie. The value is
// `<expiresMs>.<nonce>.<hmac>`; nothing secret is inside, the signature is
// what makes it valid. The key derives from the admin token, so rotating the
// token logs everybody out.

export const SESSION_COOKIE = 'sw_session'
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000

function signingKey(): Buffer {
  return createHmac('sha256', adminToken()).update('stalewatch dashboard session v1').digest()
}

function sign(payload: string): string {
  return createHmac('sha256', signingKey()).update(payload).digest('base64url')
}

export function issueSessionValue(now = Date.now()): string {
  const payload = `${now + SESSION_TTL_MS}.${randomBytes(12).toString('base64url')}`
  return `${payload}.${sign(payload)}`
}

export function isValidSessionValue(value: string | undefined | null, now = Date.now()): boolean {
  if (!value) return false
  const lastDot = value.lastIndexOf('.')
  if (lastDot <= 0) return false
  const payload = value.slice(0, lastDot)
  const expires = Number(payload.split('.')[0])
  return Number.isFinite(expires) && expires > now && secretsEqual(value.slice(lastDot + 1), sign(payload))
}

export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=')
    if (k === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}

export function sessionCookieHeader(value: string, secure: boolean): string {
  const attributes = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${SESSION_TTL_MS / 1000}`]
  if (secure) attributes.push('Secure')
  return attributes.join('; ')
}

export function clearSessionCookieHeader(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`
}
