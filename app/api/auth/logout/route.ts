import { csrfMatches, CSRF_FIELD, isCrossSite } from '@/lib/auth/csrf'
import { clearSessionCookieHeader } from '@/lib/auth/session-cookie'

export const dynamic = 'force-dynamic'

// Logout is state-changing too: a cross-site page must not be able to log the
// admin out. The form carries the CSRF field (app/login/logout-form.tsx); a
// fetch may instead rely on its same-origin Origin header.
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData().catch(() => null)
  const host = request.headers.get('host')
  const sameOrigin = request.headers.get('origin') !== null && !isCrossSite(request.headers, host)
  if (isCrossSite(request.headers, host) || !(csrfMatches(request.headers.get('cookie'), String(form?.get(CSRF_FIELD) ?? '')) || sameOrigin)) {
    return new Response(JSON.stringify({ error: { code: 'csrf', message: 'Log out from the dashboard itself (the CSRF token did not match).' } }), {
      status: 403,
      headers: { 'content-type': 'application/json' },
    })
  }
  return new Response(null, { status: 303, headers: { location: '/login', 'set-cookie': clearSessionCookieHeader() } })
}
