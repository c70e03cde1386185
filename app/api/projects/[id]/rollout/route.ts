import { errorJson, guarded, json, unknownProjectJson } from '@/lib/http/json'
import { isDeployRequest } from '@/lib/auth/deploy-token'
import { projectById } from '@/lib/projects/project-directory'
import { rolloutStatus } from '@/lib/rollout/status'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// Where the project's rollout stands: minimum, settings, the wave and its
// guard, the audit log (docs/rollout.md). Admin token, dashboard or the
// project's deploy token.
export const GET = guarded(async (request, context: Context) => {
  const { id } = await context.params
  const project = await projectById(id)
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  if (!project) return unknownProjectJson(id)
  return json(await rolloutStatus(project))
})
