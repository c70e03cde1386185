import { z } from 'zod'
import { json, validate } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { searchParamsObject } from '@/lib/http/query-params'
import { alertHistory } from '@/lib/alerts/overview'

export const dynamic = 'force-dynamic'

const query = z.object({
  project: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})

export const GET = adminRoute(async (request) => {
  const params = validate(query, searchParamsObject(request))
  if (params instanceof Response) return params
  return json({ transitions: await alertHistory(params.project, params.limit) })
})
