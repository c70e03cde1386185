import { describe, expect, it, vi } from 'vitest'
import { writeEvents } from '@/ingest/log/segment-writer'
import type { EventRow } from '@/lib/events/row'
import { GroupCommitBuffer } from '@/ingest/log/group-commit'
import { handleIngest, type IngestDeps } from '@/ingest/events/pipeline'
import { ingestRuntime } from '@/ingest/events/runtime'
import { liveSessions } from '@/lib/figures/live-sessions/read-now'
import { runCommand, runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { useEngine, testProject } from '../../support/engine'
import { envelope, heartbeat } from '../../support/envelopes'
import { errorCode, ingestRequest, storedEvents } from '../../support/ingest-requests'

useEngine()

const deps = (): IngestDeps => ingestRuntime().deps
const body = (r: { body: unknown }) => r.body as { accepted: number }

describe('ClickHouse unavailable', () => {
  it('answers 503 with Retry-After while the events table is gone, acknowledges nothing, and recovers without a restart', async () => {
    const p = await testProject()
    const before = envelope(p.ingestKey, 'v1', [heartbeat(Date.now())])
    expect((await handleIngest(ingestRequest(before), deps())).status).toBe(200)

    await runCommand('test.detachEvents', `DETACH TABLE ${table('events')}`)
    let during: Awaited<ReturnType<typeof handleIngest>>
    const lost = envelope(p.ingestKey, 'v1', [heartbeat(Date.now())])
    try {
      during = await handleIngest(ingestRequest(lost), deps())
    } finally {
      await runCommand('test.attachEvents', `ATTACH TABLE ${table('events')}`)
    }
    expect(during.status).toBe(503)
    expect(errorCode(during.body)).toBe('storage_unavailable')
    expect(Number(during.headers['retry-after'])).toBeGreaterThanOrEqual(1)

    // The client resends the refused batch: now it is stored, and nothing else was lost.
    const resent = await handleIngest(ingestRequest(lost), deps())
    expect(resent.status).toBe(200)
    const ids = new Set((await storedEvents(p.id)).map((e) => e.event_id))
    expect(ids).toEqual(new Set([before.events[0]!.id, lost.events[0]!.id]))
  })
})

describe('ClickHouse stalled', () => {
  it('answers 503 after the acknowledgement deadline, bounds the buffer, and moves past a hung insert', async () => {
    const p = await testProject()
    let hold = true
    let releaseHung!: () => void
    const hung = new Promise<void>((resolve) => (releaseHung = resolve))
    // The REAL writer, behind a gate this test controls.
    const buffer = new GroupCommitBuffer<EventRow>({
      write: async (rows) => {
        if (hold) await hung
        await writeEvents(rows)
      },
      maxRows: 1000,
      maxWaitMs: 20,
      maxBufferedRows: 300,
      ackTimeoutMs: 1000,
      stallTimeoutMs: 1500,
    })
    const stalled: IngestDeps = { ...deps(), store: (rows) => buffer.add(rows) }
    const send = (count: number) =>
      handleIngest(ingestRequest(envelope(p.ingestKey, 'v1', Array.from({ length: count }, () => heartbeat(Date.now())))), stalled)

    const first = send(50)
    // A flood while the insert hangs: far more rows than the buffer may hold.
    const flood = Array.from({ length: 40 }, () => send(20))
    let peak = 0
    const sampler = setInterval(() => {
      const s = buffer.stats()
      peak = Math.max(peak, s.waitingRows + s.inFlightRows)
    }, 5)
    const answers = await Promise.all([first, ...flood])
    clearInterval(sampler)

    expect(answers.every((a) => a.status === 503 && Number(a.headers['retry-after']) >= 1)).toBe(true)
    const codes = new Set(answers.map((a) => errorCode(a.body)))
    expect(codes.has('storage_slow')).toBe(true)
    expect(codes.has('overloaded')).toBe(true)
    expect(peak).toBeLessThanOrEqual(300)

    // ClickHouse answers again, though the first insert is still hung: once
    // the buffer gives up on it, new requests are stored and acknowledged.
    hold = false
    await new Promise((r) => setTimeout(r, 1600))
    const after = await send(5)
    expect(after.status).toBe(200)
    expect(body(after).accepted).toBe(5)
    // When the hung inserts finally settle, the rows they held are let go.
    releaseHung()
    await vi.waitFor(() => expect(buffer.stats().inFlightRows).toBe(0), { timeout: 20_000, interval: 50 })
    await buffer.close()
  })
})

describe('a batch resent after a lost response', () => {
  it('is counted once by the live sessions figure and by distinct event counts', async () => {
    const p = await testProject()
    const now = Date.now()
    const a = envelope(p.ingestKey, 'v1', [heartbeat(now - 2000), heartbeat(now - 1000)])
    const b = envelope(p.ingestKey, 'v2', [heartbeat(now - 500)])
    for (const e of [a, b, a, a]) expect((await handleIngest(ingestRequest(e), deps())).status).toBe(200)

    const live = await liveSessions({ projectId: p.id, at: Date.now(), windowSeconds: 180 })
    expect(live.total).toBe(2)
    expect(live.versions.map((v) => [v.version, v.sessions]).sort()).toEqual([
      ['v1', 1],
      ['v2', 1],
    ])
    const [counts] = await runQuery<{ raw: string; distinct: string }>(
      'test.distinctEvents',
      `SELECT count() AS raw, uniqExact(event_id) AS distinct FROM ${table('events')} WHERE project_id = {project:String}`,
      { project: p.id },
    )
    expect(Number(counts!.distinct)).toBe(3)
    // The events table is a plain MergeTree: resent rows may be stored again; figures never count them twice.
    expect(Number(counts!.raw)).toBeGreaterThanOrEqual(3)
  })
})
