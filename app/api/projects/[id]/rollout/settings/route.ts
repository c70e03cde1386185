import { guarded, json, readJson, requireAdmin } from '@/lib/http/json'
import { resolveProject } from '@/lib/projects/project-ref'
import { actorOf } from '@/lib/rollout/actor'
import { writeAudit } from '@/lib/rollout/audit'
import { rolloutSettingsSchema, setRolloutSettings } from '@/lib/rollout/settings'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// The project's reload rate and lead (docs/rollout.md): { reloadsPerMinute?, leadSeconds? }.
// Admin only. A new rate applies to a running wave at once.
export const PUT = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const project = await resolveProject((await context.params).id)
  if (project instanceof Response) return project
  const id = project.id
  const input = await readJson(request, rolloutSettingsSchema)
  if (input instanceof Response) return input
  const actor = actorOf(request, true)
  const settings = await setRolloutSettings(id, input, actor)
  const at = Date.now()
  await writeAudit({ projectId: id, at, action: 'settings', actor, from: null, to: null, detail: settings, outcome: null })
  return json({ project: id, ...settings })
})
