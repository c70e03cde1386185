import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { beforeAll, describe, expect, it } from 'vitest'
import { handleIngest } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { liveSessions } from '@/lib/figures/live-sessions/read-now'
import { useEngine, testProject } from '../support/engine'
import { envelope, heartbeat } from '../support/envelopes'

// Spans reach whatever provider is registered (in production, @vercel/otel's
// from instrumentation.ts); here an in-memory exporter captures them.
const exporter = new InMemorySpanExporter()
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))

useEngine()
let project: Awaited<ReturnType<typeof testProject>>
beforeAll(async () => {
  project = await testProject('tracing')
})

const spans = () => exporter.getFinishedSpans()

describe('tracing', () => {
  it('runs each ingest stage in a span with the project, the events and the batch rows', async () => {
    exporter.reset()
    const body = envelope(project.ingestKey, 'v1', [heartbeat(Date.now()), heartbeat(Date.now())])
    const result = await handleIngest(
      {
        method: 'POST',
        contentType: 'application/json',
        queryKey: null,
        body: new TextEncoder().encode(JSON.stringify(body)),
        bodyTooLarge: false,
        receivedAt: Date.now(),
      },
      ingestRuntime().deps,
    )
    expect(result.status).toBe(200)
    const names = spans().map((s) => s.name)
    expect(names).toEqual(expect.arrayContaining(['ingest.request', 'ingest.validate', 'ingest.store', 'ingest.write']))
    const request = spans().find((s) => s.name === 'ingest.request')!
    expect(request.attributes).toMatchObject({ 'stalewatch.project': project.id, 'stalewatch.events': 2 })
    const write = spans().find((s) => s.name === 'ingest.write')!
    expect(write.attributes['stalewatch.batch_rows']).toBeGreaterThanOrEqual(2)
  })

  it('runs every ClickHouse query in a span named after the query', async () => {
    exporter.reset()
    await liveSessions({ projectId: project.id, at: Date.now(), windowSeconds: 180 })
    const query = spans().find((s) => s.name === 'clickhouse.query liveSessions')
    expect(query?.attributes).toMatchObject({ 'db.system': 'clickhouse', 'stalewatch.query': 'liveSessions', 'db.rows': 1 })
  })
})
