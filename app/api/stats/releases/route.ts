import { z } from 'zod'
import { errorJson, json } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { chartContext, findRelease } from '@/lib/figures/chart-context'
import { DEFAULT_GRACE_MS, releaseSummaries } from '@/lib/figures/release-summaries/summaries'
import { timeParam, versionString } from '@/lib/validation'
import { statsRequest } from '../_lib/stats-request'

export const dynamic = 'force-dynamic'

const query = z.object({
  project: z.string().min(1, 'is required'),
  at: timeParam.optional(),
  graceMinutes: z.coerce.number().int().min(0).max(7 * 24 * 60).optional(),
  release: versionString.optional(),
  releasedAt: timeParam.optional(),
})

// The releases list (or one release with ?release=): adoption now, time to
// 50/90/99 %, stragglers at releasedAt + grace, upgraded by reload by reason.
export const GET = adminRoute(async (request) => {
  const asked = await statsRequest(request, query)
  if (asked instanceof Response) return asked
  const { params } = asked
  const ctx = await chartContext(asked.project)
  const only = params.release === undefined ? undefined : findRelease(ctx, params.release, params.releasedAt)
  if (params.release !== undefined && !only) return errorJson(404, 'unknown_release', 'No such release of this project.')
  const at = params.at ?? Date.now()
  const graceMs = params.graceMinutes === undefined ? DEFAULT_GRACE_MS : params.graceMinutes * 60_000
  return json({ at, graceMs, releases: await releaseSummaries(ctx, { at, graceMs, only }) })
})
