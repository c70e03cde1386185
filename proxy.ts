import { NextResponse, type NextRequest } from 'next/server'
import { CSRF_COOKIE, CSRF_REQUEST_HEADER, csrfCookieHeader, isWellFormedCsrfToken, newCsrfToken } from '@/lib/auth/csrf'
import { contentSecurityPolicy, STATIC_SECURITY_HEADERS } from '@/lib/auth/security-headers'

// Runs before every page and API route handled by Next.js (server.ts answers
// /api/ingest itself, without Next). It sets the security headers, a fresh
// CSP nonce per response, and gives each visitor the CSRF cookie its forms
// echo back (lib/auth/csrf.ts).
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64')
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development')
  const forwarded = new Headers(request.headers)
  forwarded.set('content-security-policy', csp)
  forwarded.set('x-nonce', nonce)

  const existing = request.cookies.get(CSRF_COOKIE)?.value
  const issued = isWellFormedCsrfToken(existing) ? null : newCsrfToken()
  if (issued) forwarded.set(CSRF_REQUEST_HEADER, issued)
  else forwarded.delete(CSRF_REQUEST_HEADER)

  const response = NextResponse.next({ request: { headers: forwarded } })
  response.headers.set('content-security-policy', csp)
  for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) response.headers.set(name, value)
  const secure = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https'
  if (secure) response.headers.set('strict-transport-security', 'max-age=31536000')
  if (issued) response.headers.append('set-cookie', csrfCookieHeader(issued, secure))
  return response
}

// Not on the ingest route (the hot path, called cross-origin by the SDK: no
// page, no cookies) nor its bench baseline, which must stay like-for-like with it.
export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/ingest|api/bench-baseline).*)'],
}
