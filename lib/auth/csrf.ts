import { randomBytes } from 'node:crypto'
import { secretsEqual } from '../ids'
import { readCookie } from './session-cookie'

// CSRF for the dashboard's forms: a double-submit cookie. proxy.ts gives every
// page visitor a random `sw_csrf` cookie; forms carry the same value in a
// hidden `csrf` field (fetch calls may send it as the x-csrf-token header). A
// cross-site page can make the browser send the cookie but cannot read it, so
// it cannot fill in the field.

export const CSRF_COOKIE = 'sw_csrf'
export const CSRF_FIELD = 'csrf'
export const CSRF_HEADER = 'x-csrf-token'
/** Set by proxy.ts on the forwarded request when it issued a new cookie, so the page can render it at once. */
export const CSRF_REQUEST_HEADER = 'x-stalewatch-csrf'

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,64}$/

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url')
}

export function isWellFormedCsrfToken(value: string | null | undefined): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value)
}

export function csrfCookieHeader(token: string, secure: boolean): string {
  const attributes = [`${CSRF_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax']
  if (secure) attributes.push('Secure')
  return attributes.join('; ')
}

/** The submitted token matches the cookie (both present and well formed). */
export function csrfMatches(cookieHeader: string | null, submitted: string | null | undefined): boolean {
  const cookie = readCookie(cookieHeader, CSRF_COOKIE)
  return isWellFormedCsrfToken(cookie) && isWellFormedCsrfToken(submitted) && secretsEqual(cookie, submitted)
}

/**
 * A browser's state-changing request from another site: its Sec-Fetch-Site
 * or Origin says so. Absent headers, and `Origin: null` (which browsers send
 * under some referrer policies and from privacy modes), prove nothing either
 * way: the CSRF token decides then.
 */
export function isCrossSite(headers: Headers, host: string | null): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return true
  const origin = headers.get('origin')
  if (!origin || origin === 'null') return false
  if (!host) return true
  try {
    return new URL(origin).host !== host
  } catch {
    return true
  }
}

export function isSecureRequest(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https'
}
