import { errorJson, json} from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { deleteRule } from '@/lib/alerts/rule-store'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

export const DELETE = adminRoute(async (request, context: Context) => {
  const { id } = await context.params
  if (!(await deleteRule(id))) return errorJson(404, 'unknown_rule', `No alert rule with id ${JSON.stringify(id)}.`)
  return json({ id, deleted: true })
})
