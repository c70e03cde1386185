import { z } from 'zod'
import { errorJson, guarded, json, readJson, requireAdmin } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { resolveProject } from '@/lib/projects/project-ref'
import { rulesOverview } from '@/lib/alerts/overview'
import { newRuleSchema } from '@/lib/alerts/rule-schema'
import { createRule } from '@/lib/alerts/rule-store'

export const dynamic = 'force-dynamic'

const listQuery = z.object({ project: z.string().min(1).optional() })

export const GET = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const query = listQuery.safeParse(searchParamsObject(request))
  if (!query.success) return errorJson(400, 'invalid_request', 'project: give ?project=<id> or nothing')
  return json({ rules: await rulesOverview(query.data.project) })
})

// Creates a rule. Destination secrets (given or generated) are in this answer only.
export const POST = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const input = await readJson(request, newRuleSchema)
  if (input instanceof Response) return input
  const project = await resolveProject(input.project)
  if (project instanceof Response) return project
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
