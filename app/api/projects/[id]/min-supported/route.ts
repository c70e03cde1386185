import { errorJson, guarded, json, readJson, requireAdmin, unknownProjectJson } from '@/lib/http/json'
import { projectById } from '@/lib/projects/project-directory'
import { listMinSupportedChanges, minSupportedSchema } from '@/lib/releases/release-store'
import { isDeployRequest } from '@/lib/auth/deploy-token'
import { actorOf } from '@/lib/rollout/actor'
import { changeMinimum } from '@/lib/rollout/change'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

export const GET = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const { id } = await context.params
  if (!(await projectById(id))) return unknownProjectJson(id)
  const changes = await listMinSupportedChanges(id)
  return json({ project: id, minSupported: changes.at(-1)?.version ?? null, changes })
})

// The minimum supported version: tabs ordered before it reload in a paced
// wave (docs/rollout.md). Admin token, dashboard or the project's deploy
// token; every change is audited with the preview it was made on.
export const PUT = guarded(async (request, context: Context) => {
  const { id } = await context.params
  const project = await projectById(id)
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  if (!project) return unknownProjectJson(id)
  const input = await readJson(request, minSupportedSchema)
  if (input instanceof Response) return input
  const { change, from, preview } = await changeMinimum(project, input.version, actorOf(request, requireAdmin(request) === null))
  return json({ project: id, minSupported: change.version, changedAt: change.changedAt, previous: from, preview })
})
