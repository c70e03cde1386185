import { z } from 'zod'
import { errorJson, guarded, json, validate } from '@/lib/http/json'
import { epochMsParam, searchParamsObject } from '@/lib/http/query-params'
import { isDeployRequest } from '@/lib/auth/deploy-token'
import { resolveProject } from '@/lib/projects/project-ref'
import { versionString } from '@/lib/releases/release-store'
import { previewMinimum } from '@/lib/rollout/preview'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

const previewParams = z
  .object({
    version: versionString,
    at: epochMsParam.optional(),
  })
  .strict()

// What a new minimum would force before it is set (docs/rollout.md,
// "Preview"): ?version=V[&at=epoch ms]. Admin token, dashboard or the
// project's deploy token.
export const GET = guarded(async (request, context: Context) => {
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  const params = validate(previewParams, searchParamsObject(request))
  if (params instanceof Response) return params
  const preview = await previewMinimum(project, params.version, params.at ?? Date.now())
  if (!preview.known) {
    return errorJson(404, 'unknown_version', `Version ${JSON.stringify(params.version)} is neither released nor seen in project ${project.id}; register it first (POST /api/releases).`)
  }
  return json(preview)
})
