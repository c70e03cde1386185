import { afterAll, beforeAll, expect, it } from 'vitest'
import { runStep } from '../../../scripts/bench/load-generator'
import { storedEvents } from '../../support/ingest-requests'
import { startIngestServer } from '../../support/ingest-server'
import { useEngine, testProject } from '../../support/engine'

// The bench's load generator counts what the product acknowledged: every
// event of a 204 (the header answer the SDK asks for) and `accepted` of a 200.
// Its "acknowledged but not stored" check relies on both.

useEngine()

let server: Awaited<ReturnType<typeof startIngestServer>>
beforeAll(async () => {
  server = await startIngestServer()
})
afterAll(() => server.close())

it.each([
  { answer: 'the 204 header answer', query: '?answer=header', status: '204' },
  { answer: 'the 200 JSON answer', query: '', status: '200' },
])('counts every event of $answer as acknowledged, and each was stored', async ({ query, status }) => {
  const project = await testProject('load-generator')
  const result = await runStep({ url: `${server.url}${query}`, key: project.ingestKey, version: 'bench', batchSize: 10, concurrency: 2, durationMs: 300, collectIds: true })
  expect(Object.keys(result.byStatus)).toEqual([status])
  expect(result.requests).toBeGreaterThan(0)
  expect(result.ackedEvents).toBe(result.sentEvents)
  expect(result.ackedIds!.sort()).toEqual((await storedEvents(project.id)).map((e) => e.event_id).sort())
})
