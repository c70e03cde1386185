import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { aggregateRuntime, closeAggregateIngest } from '@/ingest/aggregates/runtime'
import { AGGREGATE_COLUMNS, aggregateValues, type AggregateRow } from '@/lib/aggregates/row'
import { ingestBufferSnapshot } from '@/ingest/buffer-snapshot'
import { EVENT_COLUMNS, eventValues } from '@/lib/events/row'
import { ingestMetrics } from '@/ingest/edge/metrics'
import { handleIngest } from '@/ingest/events/pipeline'
import { closeIngest, ingestRuntime } from '@/ingest/events/runtime'
import { resetConfigCache } from '@/lib/config'
import { metricsText } from '@/lib/metrics/render'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { eventRowsFor } from '../../support/event-rows'
import { ingestRequest, storedEvents } from '../../support/ingest-requests'

// The product's ingest log (STALEWATCH_INGEST_ACK=logged) finds a segment a
// previous run left whose column line is damaged. It must not retry it for
// ever with every later segment waiting behind it while ingest answers 200:
// the segment is quarantined at once, said at error level, counted in
// /api/metrics, and the events sent after it are stored.

const logDir = mkdtempSync(path.join(tmpdir(), 'stalewatch-damaged-log-'))
process.env.STALEWATCH_INGEST_ACK = 'logged'
process.env.STALEWATCH_INGEST_LOG_DIR = logDir
resetConfigCache()

useEngine()
afterAll(async () => {
  await closeAggregateIngest()
  await closeIngest()
})

describe('a damaged segment in the ingest log', () => {
  it('is quarantined at once with an error line and a metric, its rows are stored, and later events are not held up', async () => {
    const p = await testProject('damaged-header')
    const rows = eventRowsFor(p.id, 12, Date.now() - 1000)
    const name = '000000000000001-1-000001.jsonl'
    writeFileSync(
      path.join(logDir, name),
      '#' + JSON.stringify(EVENT_COLUMNS).slice(1) + '\n' + rows.map((r) => JSON.stringify(eventValues(r)) + '\n').join(''),
    )
    const errors: string[] = []
    process.env.STALEWATCH_LOG_LEVEL = 'error'
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk))
      return true
    })
    try {
      const later = envelope(p.ingestKey, 'v1', [heartbeat(Date.now()), heartbeat(Date.now())])
      expect((await handleIngest(ingestRequest(later), ingestRuntime().deps)).status).toBe(200)
      const expected = new Set([...rows.map((r) => r.event_id), ...later.events.map((e) => e.id)])
      await vi.waitFor(async () => expect(new Set((await storedEvents(p.id)).map((e) => e.event_id))).toEqual(expected), { timeout: 15_000, interval: 200 })
    } finally {
      spy.mockRestore()
      process.env.STALEWATCH_LOG_LEVEL = 'silent'
    }

    const line = errors.map((l) => JSON.parse(l) as { level: string; message: string; segment?: string }).find((l) => l.segment === name)
    expect(line).toMatchObject({ level: 'error', message: expect.stringMatching(/quarantined/) })
    await vi.waitFor(
      async () => {
        const text = await metricsText(ingestMetrics(), ingestRuntime().buffer.stats())
        expect(text).toContain('\nstalewatch_ingest_quarantined_segments_total 1\n')
        expect(text).toContain('\nstalewatch_ingest_quarantined_lines_total{kind="bad_header"} 1\n')
        expect(text).toContain('\nstalewatch_ingest_salvaged_rows_total 12\n')
        expect(text).toContain('\nstalewatch_ingest_quarantine_files 1\n')
      },
      { timeout: 15_000, interval: 200 },
    )
    expect(readdirSync(path.join(logDir, 'quarantine'))).toEqual([name.replace('.jsonl', '.rejected.jsonl')])
  })

  // The backend-load aggregates keep a log of their own (<log dir>/aggregates):
  // a damaged segment there is handled the same way and shows in the same metrics.
  it('in the aggregates log is quarantined too, its rows stored, and counted in the same metrics', async () => {
    const p = await testProject('damaged-aggregates')
    const minute = Math.floor(Date.now() / 60_000) * 60 - 60
    const rows: AggregateRow[] = ['v1', 'v2', 'v3'].map((version, i) => ({ project_id: p.id, kind: 'http', minute, version, route_group: '/api/items/:id', status_class: '2xx', requests: 10 + i }))
    const name = '000000000000001-1-000001.jsonl'
    mkdirSync(path.join(logDir, 'aggregates'), { recursive: true })
    writeFileSync(
      path.join(logDir, 'aggregates', name),
      '#' + JSON.stringify(AGGREGATE_COLUMNS).slice(1) + '\n' + rows.map((r) => JSON.stringify(aggregateValues(r)) + '\n').join(''),
    )
    aggregateRuntime()
    const stored = () =>
      runQuery<{ version: string; requests: string }>(
        'test.damagedAggregates',
        `SELECT version, sum(requests) AS requests FROM ${table('backend_load_raw')} WHERE project_id = {p:String} GROUP BY version ORDER BY version`,
        { p: p.id },
      )
    await vi.waitFor(async () => expect((await stored()).map((r) => [r.version, Number(r.requests)])).toEqual([['v1', 10], ['v2', 11], ['v3', 12]]), { timeout: 15_000, interval: 200 })

    // One segment of each log, one file in each quarantine. The good rows are
    // stored before the bad lines' file is written and counted: wait for the counts too.
    await vi.waitFor(
      async () => {
        const text = await metricsText(ingestMetrics(), ingestBufferSnapshot())
        expect(text).toContain('\nstalewatch_ingest_quarantined_segments_total 2\n')
        expect(text).toContain('\nstalewatch_ingest_quarantined_lines_total{kind="bad_header"} 2\n')
        expect(text).toContain('\nstalewatch_ingest_quarantine_files 2\n')
      },
      { timeout: 15_000, interval: 200 },
    )
    expect(readdirSync(path.join(logDir, 'aggregates', 'quarantine'))).toEqual([name.replace('.jsonl', '.rejected.jsonl')])
  })
})
