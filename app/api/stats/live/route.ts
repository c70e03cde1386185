import { z } from 'zod'
import { errorJson, guarded, json, requireAdmin } from '@/lib/http/json'
import { epochMsParam, searchParamsObject } from '@/lib/http/query-params'
import { projectById } from '@/lib/projects/project-directory'
import { liveSessions } from '@/lib/queries/live-sessions'

export const dynamic = 'force-dynamic'

const query = z.object({ project: z.string().min(1, 'is required'), at: epochMsParam.optional() })

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
  return json(await liveSessions({ projectId: project.id, at: params.data.at ?? Date.now(), windowSeconds: project.livenessWindowSeconds }))
})
