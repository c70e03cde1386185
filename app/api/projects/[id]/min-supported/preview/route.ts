import { z } from 'zod'
import { errorJson, json, validate } from '@/lib/http/json'
import { deployRoute } from '@/lib/http/route'
import { searchParamsObject } from '@/lib/http/query-params'
import { resolveProject } from '@/lib/projects/project-ref'
import { timeParam, versionString } from '@/lib/validation'
import { previewMinimum } from '@/lib/rollout/preview'
import { unknownVersion } from '../unknown-version'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

const previewParams = z
  .object({
    version: versionString,
    at: timeParam.optional(),
  })
  .strict()

// What a new minimum would force before it is set (docs/rollout.md,
// "Preview"): ?version=V[&at=epoch ms]. Admin token, dashboard or the
// project's deploy token.
const projectInPath = async (_request: Request, context: Context) => resolveProject((await context.params).id)

export const GET = deployRoute(projectInPath, async (request, _context: Context, project) => {
  if (!project) return errorJson(404, 'unknown_project', 'No such project.')
  const params = validate(previewParams, searchParamsObject(request))
  if (params instanceof Response) return params
  const preview = await previewMinimum(project, params.version, params.at ?? Date.now())
  if (!preview.known) return unknownVersion(params.version, project.id)
  return json(preview)
})
