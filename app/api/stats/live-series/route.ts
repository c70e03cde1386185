import { z } from 'zod'
import { json } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { timeParam } from '@/lib/validation'
import { statsRequest } from '../_lib/stats-request'
import { liveMinutes } from '@/lib/figures/live-sessions/read-minutes'

export const dynamic = 'force-dynamic'

const MAX_RANGE_MS = 7 * 24 * 3600_000

const query = z
  .object({ project: z.string().min(1, 'is required'), from: timeParam.optional(), to: timeParam.optional() })
  .transform((q) => {
    const to = q.to ?? Date.now()
    return { project: q.project, to, from: q.from ?? to - 3600_000 }
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { message: 'the range is at most 7 days', path: ['from'] })

// The data behind the dashboard's "live sessions per version" chart.
export const GET = adminRoute(async (request) => {
  const parsed = await statsRequest(request, query)
  if (parsed instanceof Response) return parsed
  const { params, project } = parsed
  // Served from the rollup where it has finalised minutes, raw events after it (lib/figures/live-sessions/read-minutes.ts).
  const minutes = await liveMinutes({ projectId: project.id, from: params.from, to: params.to, windowSeconds: project.livenessWindowSeconds })
  const rows = minutes.map(({ minute, version, sessions }) => ({ minute, version, sessions }))
  return json({ from: params.from, to: params.to, windowSeconds: project.livenessWindowSeconds, rows })
})
