import { errorJson, guarded, json } from '@/lib/http/json'
import { isDeployRequest } from '@/lib/auth/deploy-token'
import { resolveProject } from '@/lib/projects/project-ref'
import { rolloutStatus } from '@/lib/rollout/status'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// Where the project's rollout stands: minimum, settings, the wave and its
// guard, the audit log (docs/rollout.md). Admin token, dashboard or the
// project's deploy token.
export const GET = guarded(async (request, context: Context) => {
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  return json(await rolloutStatus(project))
})
