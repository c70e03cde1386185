import { z } from 'zod'
import { errorJson, guarded, json, requireAdmin } from '@/lib/http/json'
import { epochMsParam, searchParamsObject } from '@/lib/http/query-params'
import { projectById } from '@/lib/projects/project-directory'
import { liveMinutes } from '@/lib/queries/live-minutes'

export const dynamic = 'force-dynamic'

const MAX_RANGE_MS = 7 * 24 * 3600_000

const query = z
  .object({ project: z.string().min(1, 'is required'), from: epochMsParam.optional(), to: epochMsParam.optional() })
  .transform((q) => {
    const to = q.to ?? Date.now()
    return { project: q.project, to, from: q.from ?? to - 3600_000 }
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { message: 'the range is at most 7 days', path: ['from'] })

// The data behind the dashboard's "live sessions per version" chart.
export const GET = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const params = query.safeParse(searchParamsObject(request))
  if (!params.success) {
    const issue = params.error.issues[0]
    return errorJson(400, 'invalid_request', `${issue?.path.join('.')}: ${issue?.message}`)
  }
  const project = await projectById(params.data.project)
  if (!project) return errorJson(404, 'unknown_project', 'No such project.')
  // Served from the rollup where it has finalised minutes: same rows as the raw liveSeries scan.
  const minutes = await liveMinutes({ projectId: project.id, from: params.data.from, to: params.data.to, windowSeconds: project.livenessWindowSeconds })
  const rows = minutes.map(({ minute, version, sessions }) => ({ minute, version, sessions }))
  return json({ from: params.data.from, to: params.data.to, windowSeconds: project.livenessWindowSeconds, rows })
})
