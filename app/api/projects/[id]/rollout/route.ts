import { errorJson, json } from '@/lib/http/json'
import { deployRoute } from '@/lib/http/route'
import { resolveProject } from '@/lib/projects/project-ref'
import { rolloutStatus } from '@/lib/rollout/status'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// Where the project's rollout stands: minimum, settings, the wave and its
// guard, the audit log (docs/rollout.md). Admin token, dashboard or the
// project's deploy token.
const projectInPath = async (_request: Request, context: Context) => resolveProject((await context.params).id)

export const GET = deployRoute(projectInPath, async (_request, _context: Context, project) => {
  if (!project) return errorJson(404, 'unknown_project', 'No such project.')
  return json(await rolloutStatus(project))
})
