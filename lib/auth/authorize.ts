import { isAdminBearer } from './admin-token'
import { csrfMatches, CSRF_HEADER } from './csrf'
import { readCookie, SESSION_COOKIE } from './session-cookie'
import { liveSession } from './sessions'

export interface RequestCredentials {
  method: string
  authorization: string | null
  cookie: string | null
  origin: string | null
  host: string | null
  /** x-csrf-token, for cookie-authenticated calls from clients that send no Origin. */
  csrfToken?: string | null
  /** Sec-Fetch-Site, when the browser sent it. */
  fetchSite?: string | null
}

/**
 * Admin access: the admin bearer token, or a dashboard session cookie. A
 * state-changing call made with the cookie must prove it comes from the
 * dashboard itself: its Origin is the dashboard's own, or it carries the CSRF
 * token of the double-submit cookie (SameSite=Lax already stops most
 * cross-site posts; this closes the rest). Ingest keys and deploy tokens are
 * never admin credentials. A session must also not have been revoked.
 */
export async function isAdminRequest(c: RequestCredentials): Promise<boolean> {
  if (isAdminBearer(c.authorization)) return true
  if (!(await liveSession(readCookie(c.cookie, SESSION_COOKIE)))) return false
  if (c.method === 'GET' || c.method === 'HEAD') return true
  if (c.fetchSite === 'cross-site') return false
  if (csrfMatches(c.cookie, c.csrfToken)) return true
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
    csrfToken: request.headers.get(CSRF_HEADER),
    fetchSite: request.headers.get('sec-fetch-site'),
  }
}
