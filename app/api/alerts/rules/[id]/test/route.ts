import { errorJson, json} from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { getRule } from '@/lib/alerts/rule-store'
import { sendTestNotification } from '@/lib/alerts/test-notification'

export const dynamic = 'force-dynamic'

type Context = { params: Promise<{ id: string }> }

// Sends one test message to each destination of the rule and reports how each answered.
export const POST = adminRoute(async (request, context: Context) => {
  const { id } = await context.params
  const rule = await getRule(id)
  if (!rule) return errorJson(404, 'unknown_rule', `No alert rule with id ${JSON.stringify(id)}.`)
  const results = await sendTestNotification(rule)
  return json({ id, ok: results.every((r) => r.ok), results })
})
