import { errorJson, guarded, json, readJson, requireAdmin } from '@/lib/http/json'
import { resolveProject } from '@/lib/projects/project-ref'
import { listMinSupportedChanges, minSupportedSchema } from '@/lib/releases/release-store'
import { isDeployRequest } from '@/lib/auth/deploy-token'
import { actorOf } from '@/lib/rollout/actor'
import { changeMinimum } from '@/lib/rollout/change'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

export const GET = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  const changes = await listMinSupportedChanges(project.id)
  return json({ project: project.id, minSupported: changes.at(-1)?.version ?? null, changes })
})

// The minimum supported version: tabs ordered before it reload in a paced
// wave (docs/rollout.md). Admin token, dashboard or the project's deploy
// token; every change is audited with the preview it was made on.
export const PUT = guarded(async (request, context: Context) => {
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  const input = await readJson(request, minSupportedSchema)
  if (input instanceof Response) return input
  const { change, from, preview } = await changeMinimum(project, input.version, actorOf(request, requireAdmin(request) === null))
  return json({ project: project.id, minSupported: change.version, changedAt: change.changedAt, previous: from, preview })
})
