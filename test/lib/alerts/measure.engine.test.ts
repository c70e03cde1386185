import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measure } from '@/lib/alerts/measure'
import { measureContext } from '@/lib/alerts/measure-context'
import { conditionSchema } from '@/lib/alerts/rule-schema'
import { eventRate } from '@/lib/figures/event-rates/read-rate'
import { registerRelease } from '@/lib/releases/release-store'
import { invalidateCatalog } from '@/lib/releases/catalog-staleness'
import { insertRows } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import type { WireEvent } from '@/sdk/src/wire'
import { useEngine, testProject } from '../../support/engine'
import { startIngestServer } from '../../support/ingest-server'
import { envelope, heartbeat, post, uid } from '../../support/envelopes'

// Each rule kind measured over known traffic in the real engine: 4 sessions
// on v1 and 6 on v2 (released at T0 − 60 min, the minimum supported version
// since T0 − 30 min), a reload storm in the minute before T0 + 1 min.

useEngine()

const MIN = 60_000
const T0 = Math.floor((Date.now() - 3 * 3600_000) / MIN) * MIN
let ingest: { url: string; close: () => Promise<void> }
let projectId: string
let quietProjectId: string

async function send(key: string, version: string, events: WireEvent[], session = uid('sess')) {
  const r = await post(ingest.url, envelope(key, version, events, { session, sentAt: Date.now() }))
  expect(r.status).toBe(200)
  expect((r.json as { accepted: number }).accepted).toBe(events.length)
}

const reload = (ts: number): WireEvent => ({ id: uid('evt'), type: 'load', ts, visibility: 'visible', navigation: 'reload' })

beforeAll(async () => {
  ingest = await startIngestServer()
  const project = await testProject('measure')
  projectId = project.id
  quietProjectId = (await testProject('quiet')).id
  await registerRelease({ project: projectId, version: 'v1', releasedAt: T0 - 120 * MIN })
  await registerRelease({ project: projectId, version: 'v2', releasedAt: T0 - 60 * MIN })
  await insertRows('test.minSupported', table('min_supported_changes'), [{ project_id: projectId, version: 'v2', changed_at: T0 - 30 * MIN }])
  invalidateCatalog(projectId)
  const beats = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => heartbeat(T0 + (from + i) * MIN))
  await Promise.all([
    ...Array.from({ length: 4 }, () => send(project.ingestKey, 'v1', beats(-5, 5))),
    ...Array.from({ length: 6 }, () => send(project.ingestKey, 'v2', beats(-5, 5))),
  ])
  // Baseline: one reload a minute for 30 minutes; then 20 in the last minute, plus resumes and returns.
  await send(project.ingestKey, 'v2', Array.from({ length: 30 }, (_, i) => reload(T0 - (30 - i) * MIN + 1000)))
  await send(project.ingestKey, 'v2', [
    ...Array.from({ length: 20 }, (_, i) => reload(T0 + 1000 + i * 100)),
    { id: uid('evt'), type: 'resume', ts: T0 + 2000 },
    { id: uid('evt'), type: 'resume', ts: T0 + 3000 },
    { id: uid('evt'), type: 'resume', ts: T0 + 4000 },
    { id: uid('evt'), type: 'visibility', ts: T0 + 5000, visibility: 'visible' },
    { id: uid('evt'), type: 'visibility', ts: T0 + 6000, visibility: 'visible' },
    { id: uid('evt'), type: 'visibility', ts: T0 + 7000, visibility: 'hidden' },
  ])
})

afterAll(async () => {
  await ingest?.close()
})

async function at(minutes: number, condition: unknown, project = projectId) {
  const ctx = measureContext(T0 + minutes * MIN, async () => 180)
  return measure(project, conditionSchema.parse(condition), ctx)
}

describe('rule measurements over the engine', () => {
  it('counts live sessions below the minimum supported version', async () => {
    const m = await at(1, { kind: 'below_minimum', maxSessions: 3 })
    expect(m).toMatchObject({ value: 4, threshold: 3, breaching: true, clear: false })
    expect(m.summary).toContain('minimum supported version v2')
    expect(await at(1, { kind: 'below_minimum', maxSessions: 4 })).toMatchObject({ value: 4, breaching: false })
  })

  it('counts stragglers on old versions, honouring the grace after the latest release', async () => {
    expect(await at(1, { kind: 'version_live', maxSessions: 3 })).toMatchObject({ value: 4, breaching: true })
    expect(await at(1, { kind: 'version_live', version: 'v1', maxSessions: 3 })).toMatchObject({ value: 4, breaching: true })
    expect(await at(1, { kind: 'version_live', version: 'v2', maxSessions: 3 })).toMatchObject({ value: 0, breaching: false })
    // Grace of 2 h after a release 1 h ago: not yet.
    expect(await at(1, { kind: 'version_live', maxSessions: 3, graceMinutes: 120 })).toMatchObject({ value: 4, breaching: false, clear: true })
    // The two sessions that sent the reloads are live on v2 too: 4 of 12 are stale.
    const share = await at(1, { kind: 'stale_share', thresholdPercent: 30 })
    expect(share.value).toBeCloseTo((4 / 12) * 100, 9)
    expect(share.breaching).toBe(true)
  })

  it('sees a reload storm against the trailing baseline, and counts resumes and returns from hidden', async () => {
    const rate = await eventRate({ projectId, at: T0 + MIN, baselineMinutes: 30 })
    expect(rate.lastMinute).toEqual({ reload: 20, resume: 3, visible: 2 })
    expect(rate.baselinePerMinute.reload).toBeCloseTo(1, 9)
    const storm = await at(1, { kind: 'event_rate', event: 'reload', baselineFactor: 5, baselineMinutes: 30, minPerMinute: 10 })
    expect(storm).toMatchObject({ value: 20, threshold: 10, breaching: true })
    expect(await at(1, { kind: 'event_rate', event: 'reload', perMinuteAbove: 25 })).toMatchObject({ value: 20, breaching: false })
    expect(await at(1, { kind: 'event_rate', event: 'resume', perMinuteAbove: 2 })).toMatchObject({ value: 3, breaching: true })
    expect(await at(1, { kind: 'event_rate', event: 'visible', perMinuteAbove: 2 })).toMatchObject({ value: 2, breaching: false })
    // A minute later the storm is over.
    expect(await at(3, { kind: 'event_rate', event: 'reload', baselineFactor: 5, baselineMinutes: 30 })).toMatchObject({ value: 0, breaching: false, clear: true })
  })

  it('flags ingest silence only for a project that had traffic', async () => {
    // Last events at T0 + 5 min.
    expect(await at(14, { kind: 'ingest_silence', silentMinutes: 10 })).toMatchObject({ breaching: false })
    const silent = await at(16, { kind: 'ingest_silence', silentMinutes: 10 })
    expect(silent.breaching).toBe(true)
    expect(silent.value).toBeGreaterThanOrEqual(10)
    expect(await at(16, { kind: 'ingest_silence', silentMinutes: 10 }, quietProjectId)).toMatchObject({ value: null, breaching: false })
  })
})
