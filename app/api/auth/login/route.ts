import { adminToken } from '@/lib/auth/admin-token'
import { issueSessionValue, sessionCookieHeader } from '@/lib/auth/session-cookie'
import { secretsEqual } from '@/lib/ids'

export const dynamic = 'force-dynamic'

// The login form posts the admin token; a valid one gets the session cookie.
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData().catch(() => null)
  const token = String(form?.get('token') ?? '').trim()
  const secure = new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https'
  if (!token || !secretsEqual(token, adminToken())) {
    return new Response(null, { status: 303, headers: { location: '/login?error=1' } })
  }
  return new Response(null, {
    status: 303,
    headers: { location: '/', 'set-cookie': sessionCookieHeader(issueSessionValue(), secure) },
  })
}
