import { cookies, headers } from 'next/headers'
import { CSRF_COOKIE, CSRF_REQUEST_HEADER, isWellFormedCsrfToken } from '@/lib/auth/csrf'

/** The visitor's CSRF token for a form: the cookie, or the one proxy.ts just issued with this very response. */
export async function csrfTokenForForm(): Promise<string> {
  const fromCookie = (await cookies()).get(CSRF_COOKIE)?.value
  if (isWellFormedCsrfToken(fromCookie)) return fromCookie
  const issued = (await headers()).get(CSRF_REQUEST_HEADER)
  return isWellFormedCsrfToken(issued) ? issued : ''
}
