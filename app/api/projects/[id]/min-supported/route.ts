import { errorJson, json, readJson } from '@/lib/http/json'
import { adminRoute, deployRoute } from '@/lib/http/route'
import { resolveProject } from '@/lib/projects/project-ref'
import { isRegistered } from '@/lib/releases/catalog'
import { listMinSupportedChanges, listReleases, minSupportedSchema } from '@/lib/releases/release-store'
import { actorOf } from '@/lib/rollout/actor'
import { changeMinimum } from '@/lib/rollout/change'
import { unknownVersion } from './unknown-version'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

export const GET = adminRoute(async (_request, context: Context) => {
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  const changes = await listMinSupportedChanges(project.id)
  return json({ project: project.id, minSupported: changes.at(-1)?.version ?? null, changes })
})

// The minimum supported version: tabs ordered before it reload in a paced
// wave (docs/rollout.md). Admin token, dashboard or the project's deploy
// token; every change is audited with the preview it was made on.
const projectInPath = async (_request: Request, context: Context) => resolveProject((await context.params).id)

export const PUT = deployRoute(projectInPath, async (request, _context: Context, project) => {
  if (!project) return errorJson(404, 'unknown_project', 'No such project.')
  const input = await readJson(request, minSupportedSchema)
  if (input instanceof Response) return input
  // Read fresh, not from the catalog's cache: CI sets the minimum right after registering the release, maybe on another node.
  if (input.version !== null && !isRegistered({ releases: await listReleases(project.id) }, input.version)) {
    return unknownVersion(input.version, project.id)
  }
  const { change, from, preview, unchanged } = await changeMinimum(project, input.version, await actorOf(request))
  // The same minimum again: changedAt is when it was set, not now.
  return json({ project: project.id, minSupported: change.version, changedAt: change.changedAt, previous: from, unchanged, preview })
})
