import { isAdminBearer } from '@/lib/auth/admin-token'
import { csrfMatches, CSRF_FIELD, isCrossSite } from '@/lib/auth/csrf'
import { clearSessionCookieHeader, readCookie, SESSION_COOKIE } from '@/lib/auth/session-cookie'
import { liveSession, revokeAllSessions, revokeSession } from '@/lib/auth/sessions'
import { errorJson } from '@/lib/http/json'
import { publicRoute } from '@/lib/http/route'

export const dynamic = 'force-dynamic'

// Logout is state-changing too: a cross-site page must not be able to log the
// admin out. The form carries the CSRF field (app/login/logout-form.tsx); a
// fetch may instead rely on its same-origin Origin header. The session is
// revoked on the server, so a copy of the cookie is worth nothing after it;
// `scope=everywhere` revokes every session, which only a logged-in admin may do.
export const POST = publicRoute('logging out (CSRF-checked)', async (request) => {
  const form = await request.formData().catch(() => null)
  const host = request.headers.get('host')
  const cookie = request.headers.get('cookie')
  const sameOrigin = request.headers.get('origin') !== null && !isCrossSite(request.headers, host)
  if (isCrossSite(request.headers, host) || !(csrfMatches(cookie, String(form?.get(CSRF_FIELD) ?? '')) || sameOrigin)) {
    return errorJson(403, 'csrf', 'Log out from the dashboard itself (the CSRF token did not match).')
  }
  const session = await liveSession(readCookie(cookie, SESSION_COOKIE))
  if (form?.get('scope') === 'everywhere') {
    if (!session && !isAdminBearer(request.headers.get('authorization'))) {
      return errorJson(401, 'unauthorized', 'Only a logged-in admin can log every session out; log in first.')
    }
    await revokeAllSessions()
  } else if (session) await revokeSession(session)
  return new Response(null, { status: 303, headers: { location: '/login', 'set-cookie': clearSessionCookieHeader() } })
})
