import { clearSessionCookieHeader } from '@/lib/auth/session-cookie'

export const dynamic = 'force-dynamic'

export async function POST(): Promise<Response> {
  return new Response(null, { status: 303, headers: { location: '/login', 'set-cookie': clearSessionCookieHeader() } })
}
