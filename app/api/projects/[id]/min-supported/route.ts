import { errorJson, guarded, json, readJson, requireAdmin, unknownProjectJson } from '@/lib/http/json'
import { projectById } from '@/lib/projects/project-directory'
import { listMinSupportedChanges, minSupportedSchema, setMinSupported } from '@/lib/releases/release-store'
import { isDeployRequest } from '@/lib/auth/deploy-token'

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

// The minimum supported version: clients ordered before it reload (spread
// over their window). Admin token or the project's deploy token.
export const PUT = guarded(async (request, context: Context) => {
  const { id } = await context.params
  const project = await projectById(id)
  if (!(await isDeployRequest(request, project))) return errorJson(401, 'unauthorized', 'Send Authorization: Bearer <deploy token or admin token>.')
  if (!project) return unknownProjectJson(id)
  const input = await readJson(request, minSupportedSchema)
  if (input instanceof Response) return input
  const change = await setMinSupported(id, input.version)
  return json({ project: id, minSupported: change.version, changedAt: change.changedAt })
})
