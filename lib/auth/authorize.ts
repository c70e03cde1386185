import { isAdminBearer } from './admin-token'
import { isValidSessionValue, readCookie, SESSION_COOKIE } from './session-cookie'

export interface RequestCredentials {
  method: string
  authorization: string | null
  cookie: string | null
  origin: string | null
  host: string | null
}

/**
 * Admin access: the admin bearer token, or a dashboard session cookie. A
 * state-changing call made with the cookie must come from the dashboard's own
 * origin (SameSite=Lax already stops most cross-site posts; this closes the rest).
 */
export function isAdminRequest(c: RequestCredentials): boolean {
  if (isAdminBearer(c.authorization)) return true
  if (!isValidSessionValue(readCookie(c.cookie, SESSION_COOKIE))) return false
  if (c.method === 'GET' || c.method === 'HEAD') return true
  if (!c.origin || !c.host) return false
  try {
    return new URL(c.origin).host === c.host
  } catch {
    return false
  }
}

export function credentialsOf(request: Request): RequestCredentials {
  return {
    method: request.method,
    authorization: request.headers.get('authorization'),
    cookie: request.headers.get('cookie'),
    origin: request.headers.get('origin'),
    host: request.headers.get('host'),
  }
}
