import { z } from 'zod'
import { guarded, json, requireAdmin, validate } from '@/lib/http/json'
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
  const params = validate(query, searchParamsObject(request))
  if (params instanceof Response) return params
  return json({ transitions: await alertHistory(params.project, params.limit) })
})
