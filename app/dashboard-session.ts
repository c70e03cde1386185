import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { cache } from 'react'
import { SESSION_COOKIE } from '@/lib/auth/session-cookie'
import { liveSession } from '@/lib/auth/sessions'

/**
 * No live session, no page: app/(dashboard)/layout.tsx calls this for every
 * dashboard page. Next.js may render a page before its layout has finished,
 * so the pages' data loader (components/project-page.ts) calls it too before
 * any query; cache() makes that one check per request.
 */
export const requireDashboardSession = cache(async (): Promise<void> => {
  const jar = await cookies()
  if (!(await liveSession(jar.get(SESSION_COOKIE)?.value))) redirect('/login')
})
