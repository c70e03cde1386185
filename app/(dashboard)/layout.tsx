import type { ReactNode } from 'react'
import { requireDashboardSession } from '@/app/dashboard-session'

// Every dashboard page sits in this route group, so none is served without a
// live session: the guard is where a page is put, not something each page
// must remember (test/scenarios/security/access.app.test.ts fails on a page outside it).
// The login page lives outside the group.
export const dynamic = 'force-dynamic'

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  await requireDashboardSession()
  return children
}
