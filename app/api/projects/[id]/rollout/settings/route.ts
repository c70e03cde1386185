import { guarded, json, readJson, requireAdmin, unknownProjectJson } from '@/lib/http/json'
import { projectById } from '@/lib/projects/project-directory'
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
  const { id } = await context.params
  if (!(await projectById(id))) return unknownProjectJson(id)
  const input = await readJson(request, rolloutSettingsSchema)
  if (input instanceof Response) return input
  const actor = actorOf(request, true)
  const settings = await setRolloutSettings(id, input, actor)
  const at = Date.now()
  await writeAudit({ projectId: id, at, action: 'settings', actor, from: null, to: null, detail: settings, outcome: null })
  return json({ project: id, ...settings })
})
