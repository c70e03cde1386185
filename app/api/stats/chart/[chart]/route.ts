import { z } from 'zod'
import { toCsv } from '@/lib/charts/chart-data'
import { errorJson, json } from '@/lib/http/json'
import { adminRoute } from '@/lib/http/route'
import { chartContext } from '@/lib/figures/chart-context'
import { chartNameSchema, resolveChartRequest } from '@/lib/figures/chart-request'
import { loadChart } from '@/lib/figures/charts'
import { timeParam, versionString } from '@/lib/validation'
import { statsRequest } from '../../_lib/stats-request'

export const dynamic = 'force-dynamic'

const query = z.object({
  project: z.string().min(1, 'is required'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  release: versionString.optional(),
  releasedAt: timeParam.optional(),
  format: z.enum(['json', 'csv']).default('json'),
})

// Every dashboard chart's data, as JSON or CSV: the same loadChart the pages draw from.
export const GET = adminRoute(async (request, context: { params: Promise<{ chart: string }> }) => {
  const { chart } = await context.params
  const name = chartNameSchema.safeParse(chart)
  if (!name.success) return errorJson(404, 'unknown_chart', `No chart named ${JSON.stringify(chart.slice(0, 40))}.`)
  const asked = await statsRequest(request, query)
  if (asked instanceof Response) return asked
  const { params, project } = asked
  const ctx = await chartContext(project)
  const resolved = resolveChartRequest(ctx, { chart: name.data, ...params, now: Date.now() })
  if (!resolved.ok) return errorJson(resolved.status, resolved.code, resolved.message)
  const data = await loadChart(ctx, name.data, resolved.request)
  if (params.format === 'csv') {
    return new Response(toCsv(data), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name.data}-${project.id}-${new Date(data.from).toISOString().slice(0, 16).replace(/:/g, '')}.csv"`,
        'cache-control': 'no-store',
      },
    })
  }
  return json(data)
})
