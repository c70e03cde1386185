import { json, readJson } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { resolveProject } from '@/lib/projects/project-ref'
import { actorOf } from '@/lib/rollout/actor'
import { writeAudit } from '@/lib/rollout/audit'
import { rolloutSettingsSchema, setRolloutSettings } from '@/lib/rollout/settings'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// The project's reload rate and lead (docs/rollout.md): { reloadsPerMinute?, leadSeconds? }.
// Admin only. A new rate applies to a running wave at once.
export const PUT = adminRoute(async (request, context: Context) => {
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  const id = project.id
  const input = await readJson(request, rolloutSettingsSchema)
  if (input instanceof Response) return input
  const actor = await actorOf(request)
  const settings = await setRolloutSettings(id, input, actor)
  const at = Date.now()
  await writeAudit({ projectId: id, at, action: 'settings', actor, from: null, to: null, detail: settings, outcome: null })
  return json({ project: id, ...settings })
})
