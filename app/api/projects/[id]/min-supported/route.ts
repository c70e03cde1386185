import { json, readJson, unknownProjectJson } from '@/lib/http/json'
import { adminRoute, deployRoute } from '@/lib/http/route'
import { projectById } from '@/lib/projects/project-directory'
import { listMinSupportedChanges, minSupportedSchema, setMinSupported } from '@/lib/releases/release-store'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

export const GET = adminRoute(async (request, context: Context) => {
  const { id } = await context.params
  if (!(await projectById(id))) return unknownProjectJson(id)
  const changes = await listMinSupportedChanges(id)
  return json({ project: id, minSupported: changes.at(-1)?.version ?? null, changes })
})

// The minimum supported version: clients ordered before it reload (spread
// over their window). Admin token or the project's deploy token.
const projectInPath = async (_request: Request, context: Context) => projectById((await context.params).id)

export const PUT = deployRoute(projectInPath, async (request, context: Context, project) => {
  const { id } = await context.params
  if (!project) return unknownProjectJson(id)
  const input = await readJson(request, minSupportedSchema)
  if (input instanceof Response) return input
  const change = await setMinSupported(id, input.version)
  return json({ project: id, minSupported: change.version, changedAt: change.changedAt })
})
