import { z } from 'zod'
import { errorJson, json, readJson } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { searchParamsObject } from '@/lib/http/query-params'
import { resolveProject } from '@/lib/projects/project-ref'
import { rulesOverview } from '@/lib/alerts/overview'
import { destinationRefusal } from '@/lib/alerts/egress'
import { newRuleSchema } from '@/lib/alerts/rule-schema'
import { createRule } from '@/lib/alerts/rule-store'

export const dynamic = 'force-dynamic'

const listQuery = z.object({ project: z.string().min(1).optional() })

export const GET = adminRoute(async (request) => {
  const query = listQuery.safeParse(searchParamsObject(request))
  if (!query.success) return errorJson(400, 'invalid_request', 'project: give ?project=<id> or nothing')
  return json({ rules: await rulesOverview(query.data.project) })
})

// Creates a rule. Destination secrets (given or generated) are in this answer only.
export const POST = adminRoute(async (request) => {
  const input = await readJson(request, newRuleSchema)
  if (input instanceof Response) return input
  const project = await resolveProject(input.project)
  if (project instanceof Response) return project
  for (const [i, d] of input.destinations.entries()) {
    const refused = await destinationRefusal(d.url)
    if (refused) return errorJson(400, 'destination_not_allowed', `destinations.${i}.url: ${refused}; webhooks may not reach internal networks unless STALEWATCH_WEBHOOK_ALLOWED_NETWORKS lists them.`)
  }
  const rule = await createRule({ ...input, project: project.id })
  return json(
    {
      id: rule.id,
      project: rule.projectId,
      name: rule.name,
      condition: rule.condition,
      destinations: rule.destinations,
      createdAt: rule.createdAt,
    },
    201,
  )
})
