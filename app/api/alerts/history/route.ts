import { z } from 'zod'
import { errorJson, guarded, json, requireAdmin } from '@/lib/http/json'
import { searchParamsObject } from '@/lib/http/query-params'
import { alertHistory } from '@/lib/alerts/overview'

export const dynamic = 'force-dynamic'

const query = z.object({
  project: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})

export const GET = guarded(async (request) => {
  const denied = requireAdmin(request)
  if (denied) return denied
  const params = query.safeParse(searchParamsObject(request))
  if (!params.success) {
    const issue = params.error.issues[0]
    return errorJson(400, 'invalid_request', `${issue?.path.join('.')}: ${issue?.message}`)
  }
  return json({ transitions: await alertHistory(params.data.project, params.data.limit) })
})
