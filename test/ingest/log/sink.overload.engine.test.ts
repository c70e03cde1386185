import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventLog } from '@/ingest/log/event-log'
import { GroupCommitBuffer } from '@/ingest/log/group-commit'
import { writeEventLines, writeEvents } from '@/ingest/log/segment-writer'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/lib/events/row'
import { ingestRuntime, type EventSink } from '@/ingest/events/runtime'
import { store } from '@/lib/store/client'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../../support/engine'
import { envelope, heartbeat, post } from '../../support/envelopes'
import { startIngestServer } from '../../support/ingest-server'

// Overload: far more events than the buffer may hold arrive while the writer
// is slow. Ingest must push back (503 + Retry-After) instead of growing or
// failing, and every event it acknowledged must be in ClickHouse. Both
// acknowledgement modes: after the insert (group commit) and once in the
// ingest log (the embedded default), whose backlog bound plays the buffer's part.

useEngine()

const BUFFER_ROWS = 200
const EVENTS_PER_REQUEST = 10
const REQUESTS = 80 // 800 events at once: four times what the buffer holds

// A slowed writer: each insert takes at least 150 ms more than chDB needs.
const slowly = <T,>(write: (batch: T) => Promise<void>) => async (batch: T) => {
  await new Promise((r) => setTimeout(r, 150))
  await write(batch)
}

const sinks: [string, () => EventSink][] = [
  [
    'acknowledged when stored',
    () => new GroupCommitBuffer<EventRow>({ write: slowly(writeEvents), maxRows: 50, maxWaitMs: 20, maxBufferedRows: BUFFER_ROWS }),
  ],
  [
    'acknowledged when logged',
    () =>
      new EventLog<EventRow>({
        dir: mkdtempSync(path.join(tmpdir(), 'stalewatch-overload-log-')),
        columns: EVENT_COLUMNS,
        values: eventValues,
        insert: slowly(writeEventLines),
        maxSegmentRows: 50,
        maxSegmentAgeMs: 20,
        maxBacklogRows: BUFFER_ROWS,
        maxBacklogBytes: 1_000_000_000,
        fsync: true,
      }),
  ],
]

async function storedIds(projectId: string): Promise<Set<string>> {
  const result = await store().query.query({
    query: `SELECT event_id FROM ${table('events')} WHERE project_id = {p:String}`,
    query_params: { p: projectId },
    format: 'JSONEachRow',
  })
  return new Set((await result.json<{ event_id: string }>()).map((r) => r.event_id))
}

describe.each(sinks)('ingest under overload, %s', (_mode, openSink) => {
  let server: Awaited<ReturnType<typeof startIngestServer>>
  let buffer: EventSink

  beforeAll(async () => {
    buffer = openSink()
    server = await startIngestServer({ ...ingestRuntime().deps, store: (rows) => buffer.add(rows) })
  })

  afterAll(async () => {
    await server?.close()
    await buffer?.close()
  })

  it('refuses the excess with 503 and Retry-After, and stores every acknowledged event', async () => {
    const project = await testProject('overload')
    const now = Date.now()
    const envelopes = Array.from({ length: REQUESTS }, () =>
      envelope(project.ingestKey, '1.0.0', Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => heartbeat(now - i))),
    )
    const answers = await Promise.all(envelopes.map((e) => post(server.url, e)))

    const statuses = answers.map((a) => a.status)
    expect(statuses.every((s) => s === 200 || s === 503), `statuses: ${[...new Set(statuses)].join(', ')}`).toBe(true)
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0)

    for (const refused of answers.filter((a) => a.status === 503)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(refused.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
    }

    const acknowledged = envelopes.flatMap((e, i) => (answers[i]!.status === 200 ? e.events.map((event) => event.id) : []))
    for (const [i, a] of answers.entries()) if (a.status === 200) expect(a.json).toMatchObject({ accepted: envelopes[i]!.events.length })

    await buffer.flush()
    const stored = await storedIds(project.id)
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
    expect(buffer.stats().waitingRows + buffer.stats().inFlightRows).toBe(0)
  })

  it('accepts again once the burst has passed (the refused requests, resent, are stored)', async () => {
    const project = await testProject('overload-retry')
    const now = Date.now()
    const envelopes = Array.from({ length: REQUESTS }, () => envelope(project.ingestKey, '1.0.0', [heartbeat(now)]))
    let pending = envelopes
    const acknowledged = new Set<string>()
    // What the SDK does: resend the refused batches after Retry-After (shortened here).
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      const answers = await Promise.all(pending.map((e) => post(server.url, e)))
      answers.forEach((a, i) => {
        if (a.status === 200) for (const event of pending[i]!.events) acknowledged.add(event.id)
      })
      pending = pending.filter((_, i) => answers[i]!.status !== 200)
      if (pending.length) await new Promise((r) => setTimeout(r, 200))
    }
    expect(pending).toEqual([])
    await buffer.flush()
    const stored = await storedIds(project.id)
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([])
    expect(stored.size).toBe(REQUESTS)
  })
})
