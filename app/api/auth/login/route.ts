import { adminToken } from '@/lib/auth/admin-token'
import { csrfMatches, CSRF_FIELD, isCrossSite, isSecureRequest } from '@/lib/auth/csrf'
import { checkPassword } from '@/lib/auth/password'
import { issueSessionValue, sessionCookieHeader } from '@/lib/auth/session-cookie'
import { secretsEqual } from '@/lib/ids'

export const dynamic = 'force-dynamic'

const back = (error: string) => new Response(null, { status: 303, headers: { location: `/login?error=${error}` } })

// The login form posts the password (or the admin token) with its CSRF field;
// a valid one gets the session cookie. Without the CSRF check a hostile page
// could log a victim into the attacker's own dashboard (login CSRF).
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData().catch(() => null)
  if (isCrossSite(request.headers, request.headers.get('host')) || !csrfMatches(request.headers.get('cookie'), String(form?.get(CSRF_FIELD) ?? ''))) {
    return back('csrf')
  }
  const password = String(form?.get('password') ?? '')
  const token = String(form?.get('token') ?? '').trim()
  const ok = password ? await checkPassword(password) : token !== '' && secretsEqual(token, adminToken())
  if (!ok) return back(password ? 'password' : 'token')
  return new Response(null, {
    status: 303,
    headers: { location: '/', 'set-cookie': sessionCookieHeader(issueSessionValue(), isSecureRequest(request)) },
  })
}
