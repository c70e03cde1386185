import { errorJson, guarded, json, requireAdmin } from '@/lib/http/json'
import { deleteRule } from '@/lib/alerts/rule-store'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

export const DELETE = guarded(async (request, context: Context) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const { id } = await context.params
  if (!(await deleteRule(id))) return errorJson(404, 'unknown_rule', `No alert rule with id ${JSON.stringify(id)}.`)
  return json({ id, deleted: true })
})
