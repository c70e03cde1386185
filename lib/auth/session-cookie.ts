import { createHmac, randomBytes } from 'node:crypto'
import { secretsEqual } from '../ids'
import { adminToken } from './admin-token'

// Dashboard sessions: a signed, HttpOnly cookie. The value is
// `<expiresMs>.<sessionId>.<hmac>`; nothing secret is inside, the signature
// is what makes it genuine. The key derives from the admin token, so rotating
// the token logs everybody out. A genuine cookie may still be revoked on the
// server (lib/auth/sessions.ts).

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

export interface SessionClaims {
  id: string
  issuedAt: number
  expiresAt: number
}

/** What a genuine, unexpired cookie value says; null for anything else. Revocation is not checked here. */
export function readSessionValue(value: string | undefined | null, now = Date.now()): SessionClaims | null {
  if (!value || value.length > 200) return null
  const parts = value.split('.')
  if (parts.length !== 3) return null
  const [expiresText, id, signature] = parts as [string, string, string]
  const expiresAt = Number(expiresText)
  if (!/^\d+$/.test(expiresText) || expiresAt <= now || !id) return null
  if (!secretsEqual(signature, sign(`${expiresText}.${id}`))) return null
  return { id, issuedAt: expiresAt - SESSION_TTL_MS, expiresAt }
}

/** A cookie's value, percent-decoded; a value that does not decode is no value (never an exception). */
export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=')
    if (k !== name) continue
    try {
      return decodeURIComponent(rest.join('='))
    } catch {
      return undefined
    }
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
