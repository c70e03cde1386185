import { csrfMatches, CSRF_FIELD, isCrossSite, isSecureRequest } from '@/lib/auth/csrf'
import { attemptLogin } from '@/lib/auth/login'
import { issueSessionValue, sessionCookieHeader } from '@/lib/auth/session-cookie'
import { requestClientAddress } from '@/lib/http/client-address'
import { errorJson } from '@/lib/http/json'
import { publicRoute } from '@/lib/http/route'

export const dynamic = 'force-dynamic'

const back = (error: string, headers: Record<string, string> = {}) =>
  new Response(null, { status: 303, headers: { location: `/login?error=${error}`, ...headers } })

/** A browser's form post goes back to the login page; any other client gets JSON. */
const fromBrowserForm = (request: Request) => (request.headers.get('accept') ?? '').includes('text/html')

// The login form posts the password (or the admin token) with its CSRF field;
// a valid one gets the session cookie. Without the CSRF check a hostile page
// could log a victim into the attacker's own dashboard (login CSRF).
export const POST = publicRoute('logging in', async (request) => {
  const form = await request.formData().catch(() => null)
  if (isCrossSite(request.headers, request.headers.get('host')) || !csrfMatches(request.headers.get('cookie'), String(form?.get(CSRF_FIELD) ?? ''))) {
    return back('csrf')
  }
  const outcome = await attemptLogin({
    password: String(form?.get('password') ?? ''),
    token: String(form?.get('token') ?? '').trim(),
    address: requestClientAddress(request),
  })
  if (outcome.ok) {
    return new Response(null, {
      status: 303,
      headers: { location: '/', 'set-cookie': sessionCookieHeader(issueSessionValue(), isSecureRequest(request)) },
    })
  }
  if (outcome.retryAfterSeconds === undefined) return back(outcome.reason)
  const retryAfter = String(outcome.retryAfterSeconds)
  if (fromBrowserForm(request)) return back(`${outcome.reason}&retry=${retryAfter}`, { 'retry-after': retryAfter })
  return outcome.reason === 'rate_limited'
    ? errorJson(429, 'rate_limited', `Too many login attempts; try again in ${retryAfter} seconds.`, { 'retry-after': retryAfter })
    : errorJson(503, 'login_busy', 'Too many logins are being checked right now; try again in a second.', { 'retry-after': retryAfter })
})
