import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AGGREGATE_COLUMNS, aggregateValues, type AggregateRow } from '@/lib/aggregates/row'
import { segmentWriter } from '@/ingest/log/segment-writer'
import { config } from '@/lib/config'
import { listFirstSeen } from '@/lib/releases/release-store'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat, post } from '../../support/envelopes'
import { eventually, item, postAggregates, startStalewatchIngest, storedByLabels } from '../../support/backend-load'

// The product's default acknowledgement (the ingest log) for aggregates: an
// accepted request is on local disk in a log of its own before the answer,
// reaches the table from there, and a segment stored twice (a replay after a
// crash) is summed once, although the table sums rows with equal labels.

process.env.STALEWATCH_INGEST_ACK = 'logged'
useEngine()

let stalewatch: Awaited<ReturnType<typeof startStalewatchIngest>>
beforeAll(async () => {
  stalewatch = await startStalewatchIngest()
})
afterAll(() => stalewatch.close())

it('acknowledges from the aggregate log, in its own folder, and stores what it acknowledged', async () => {
  expect(config().ingestAck).toBe('logged')
  const project = await testProject('agg-logged')
  expect((await post(`${stalewatch.url}/api/ingest`, envelope(project.ingestKey, 'v1', [heartbeat(Date.now())]))).status).toBe(200)
  // The event leaves the log for the engine about a second after its 200; only then is v1 a known version.
  expect((await eventually(() => listFirstSeen(project.id), (seen) => seen.has('v1'))).has('v1')).toBe(true)
  const logDir = path.join(config().ingestLogDir, 'aggregates')
  const answer = await postAggregates(stalewatch.aggregatesUrl, project.serverKey, { sentAt: Date.now(), items: [item({ version: 'unknown', count: 5 }), item({ count: 7, status: '5xx' })] })
  expect(answer.status).toBe(200)
  expect(existsSync(logDir)).toBe(true)
  const rows = await eventually(() => storedByLabels(project.id), (r) => r.length === 2)
  expect(rows.map((r) => [r.version, r.status_class, r.requests])).toEqual([
    ['unknown', '2xx', 5],
    ['v1', '5xx', 7],
  ])
})

it('a segment replayed after a crash is summed once', async () => {
  const project = await testProject('agg-replay')
  const minute = Math.floor(Date.now() / 60_000) * 60
  const rows: AggregateRow[] = [{ project_id: project.id, kind: 'http', minute, version: 'v1', route_group: '/a', status_class: '2xx', requests: 3 }]
  const segment = {
    name: 'replay-test.jsonl',
    token: `stalewatch-log:replay-${project.id}`,
    columns: [...AGGREGATE_COLUMNS],
    bytes: Buffer.from(rows.map((r) => JSON.stringify(aggregateValues(r))).join('\n') + '\n'),
    rows: rows.length,
  }
  const write = segmentWriter('backend_load_raw')
  await write(segment)
  await write(segment)
  expect((await storedByLabels(project.id)).map((r) => r.requests)).toEqual([3])
  // Another segment with the same labels is a new count, and is added.
  await write({ ...segment, token: `${segment.token}-2` })
  expect((await storedByLabels(project.id)).map((r) => r.requests)).toEqual([6])
})
