import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { isValidSessionValue, SESSION_COOKIE } from '@/lib/auth/session-cookie'

/** Pages call this first: no valid session cookie, no page. */
export async function requireDashboardSession(): Promise<void> {
  const jar = await cookies()
  if (!isValidSessionValue(jar.get(SESSION_COOKIE)?.value)) redirect('/login')
}
