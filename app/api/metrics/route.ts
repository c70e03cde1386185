import { aggregateIngestMetrics } from '@/ingest/aggregates/metrics'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { ingestBufferSnapshot } from '@/ingest/buffer-snapshot'
import { errorJson } from '@/lib/http/json'
import { metricsRoute } from '@/lib/http/route'
import { timeParam } from '@/lib/validation'
import { EXPOSITION_CONTENT_TYPE } from '@/lib/metrics/exposition'
import { metricsText } from '@/lib/metrics/render'

export const dynamic = 'force-dynamic'

// Prometheus scrape endpoint: bearer STALEWATCH_METRICS_TOKEN (or the admin token).
export const GET = metricsRoute(async (request) => {
  // ?at= evaluates the live figures at that instant, as /api/stats/live?at= does.
  const atParam = new URL(request.url).searchParams.get('at')
  const at = atParam === null ? { success: true as const, data: Date.now() } : timeParam.safeParse(atParam)
  if (!at.success) return errorJson(400, 'invalid_request', 'at: must be epoch ms or an ISO 8601 date')
  const text = await metricsText(ingestMetrics(), ingestBufferSnapshot(), at.data, aggregateIngestMetrics())
  return new Response(text, { headers: { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' } })
})
