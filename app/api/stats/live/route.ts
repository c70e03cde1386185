import { z } from 'zod'
import { json } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { timeParam } from '@/lib/validation'
import { statsRequest } from '../_lib/stats-request'
import { liveSessions } from '@/lib/figures/live-sessions/read-now'

export const dynamic = 'force-dynamic'

const query = z.object({ project: z.string().min(1, 'is required'), at: timeParam.optional() })

export const GET = adminRoute(async (request) => {
  const parsed = await statsRequest(request, query)
  if (parsed instanceof Response) return parsed
  const { params, project } = parsed
  return json(await liveSessions({ projectId: project.id, at: params.at ?? Date.now(), windowSeconds: project.livenessWindowSeconds }))
})
