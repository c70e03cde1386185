import { z } from 'zod'
import { json } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { chartContext } from '@/lib/figures/chart-context'
import { projectOverview } from '@/lib/figures/overview'
import { timeParam } from '@/lib/validation'
import { statsRequest } from '../_lib/stats-request'

export const dynamic = 'force-dynamic'

const query = z.object({ project: z.string().min(1, 'is required'), at: timeParam.optional() })

// The overview's figures: live now, stale share, latest release and its adoption, versions table.
export const GET = adminRoute(async (request) => {
  const asked = await statsRequest(request, query)
  if (asked instanceof Response) return asked
  const ctx = await chartContext(asked.project)
  return json(await projectOverview(ctx, asked.params.at ?? Date.now()))
})
