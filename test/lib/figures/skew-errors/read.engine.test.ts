import { describe, expect, it } from 'vitest'
import { measure } from '@/lib/alerts/measure'
import { measureContext } from '@/lib/alerts/measure-context'
import { conditionSchema } from '@/lib/alerts/rule-schema'
import { skewErrorCounts, skewErrorMinutes } from '@/lib/figures/skew-errors/read'
import { skewErrorSpikes } from '@/lib/figures/skew-errors/spikes'
import type { Sample } from '@/lib/metrics/exposition'
import { skewErrorFamilies, skewErrorsByProject } from '@/lib/metrics/skew-errors'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import type { WireEvent } from '@/sdk/src/wire'
import { eventually } from '../../../support/backend-load'
import { testProject, useEngine } from '../../../support/engine'
import { envelope, heartbeat, post, uid } from '../../../support/envelopes'
import { startIngestServer } from '../../../support/ingest-server'

// A skew_error from the wire to every place that counts it: ingest stores
// its cause, path group and tab age; the figure, the alert and the metrics
// read the same events (docs/skew-errors.md).
useEngine()

const skew = (cause: string, path: string, age: number, ts = Date.now()) => ({ id: uid('skew'), ts, type: 'skew_error', cause, path, age }) as WireEvent

describe('skew errors', () => {
  it('are stored with cause, path group and tab age; a bad one is refused by id while the rest of its request is stored', async () => {
    const server = await startIngestServer()
    try {
      const { ingestKey, id: projectId } = await testProject('skew-store')
      const good = skew('html_instead_of_script', '/assets/Lazy-*.js', 61_234)
      const badCause = { ...skew('gone', '/a.js', 1), cause: 'moon_phase' } as unknown as WireEvent
      const badAge = { ...skew('gone', '/a.js', 1), age: -5 } as unknown as WireEvent
      const longPath = skew('gone', '/' + 'a'.repeat(300), 1)
      const beat = heartbeat(Date.now())
      const res = await post(server.url, envelope(ingestKey, 'v1', [good, badCause, badAge, longPath, beat]))
      expect(res.status).toBe(200)
      const answer = res.json as { accepted: number; rejected: { id: string; code: string; error: string }[] }
      expect(answer.accepted).toBe(2)
      expect(answer.rejected.map((r) => [r.id, r.code])).toEqual([
        [badCause.id, 'invalid_event'],
        [badAge.id, 'invalid_event'],
        [longPath.id, 'invalid_event'],
      ])
      const rows = await eventually(
        () =>
          runQuery<{ event_id: string; reason: string; message: string; tab_age_ms: string | number }>(
            'test.skewRows',
            `SELECT event_id, reason, message, tab_age_ms FROM ${table('events')} WHERE project_id = {p:String} AND event_id IN {ids:Array(String)}`,
            { p: projectId, ids: [good.id, beat.id] },
          ),
        (r) => r.length === 2,
      )
      expect(rows.find((r) => r.event_id === good.id)).toEqual({ event_id: good.id, reason: 'html_instead_of_script', message: '/assets/Lazy-*.js', tab_age_ms: 61234 })
      expect(rows.find((r) => r.event_id === beat.id)).toMatchObject({ reason: '', message: '', tab_age_ms: 0 })
    } finally {
      await server.close()
    }
  })

  it('are counted alike by the figure (per minute and in total), its spikes, the alert per live tab of old builds, and the metrics', async () => {
    const server = await startIngestServer()
    try {
      const { ingestKey, id: projectId } = await testProject('skew-figure')
      const now = Date.now()
      // v1's tabs first (first seen earlier), then v2's: with no release registered, v2 is the latest and v1 older.
      const oldTabs = [0, 1, 2, 3].map(() => envelope(ingestKey, 'v1', [heartbeat(now)]))
      for (const e of oldTabs) expect((await post(server.url, e)).status).toBe(200)
      await eventually(() => skewErrorCounts({ projectId, from: now - 60_000, to: now + 60_000 }), () => true)
      await new Promise((r) => setTimeout(r, 1_100))
      expect((await post(server.url, envelope(ingestKey, 'v2', [heartbeat(Date.now())]))).status).toBe(200)
      // 5 from v1's tabs (3 gone, 2 html), 1 from v2 (network).
      const sent = [
        envelope(ingestKey, 'v1', [skew('gone', '/assets/Lazy-*.js', 1000), skew('gone', '/assets/Other-*.js', 1200)], { session: oldTabs[0]!.session }),
        envelope(ingestKey, 'v1', [skew('gone', '/assets/Lazy-*.js', 900)], { session: oldTabs[1]!.session }),
        envelope(ingestKey, 'v1', [skew('html_instead_of_script', '/assets/Lazy-*.js', 800), skew('html_instead_of_script', '/assets/x-*.css', 800)], { session: oldTabs[2]!.session }),
        envelope(ingestKey, 'v2', [skew('network', '/assets/Lazy-*.js', 50)]),
      ]
      for (const e of sent) expect((await post(server.url, e)).status).toBe(200)
      const from = now - 10 * 60_000
      const to = Date.now() + 60_000
      const counts = await eventually(
        () => skewErrorCounts({ projectId, from, to }),
        (c) => c.reduce((s, r) => s + r.events, 0) === 6,
      )
      expect(counts.sort((a, b) => (a.version + a.cause).localeCompare(b.version + b.cause))).toEqual([
        { version: 'v1', cause: 'gone', events: 3 },
        { version: 'v1', cause: 'html_instead_of_script', events: 2 },
        { version: 'v2', cause: 'network', events: 1 },
      ])
      const byCause = await skewErrorMinutes({ projectId, from, to, by: 'reason', source: 'raw' })
      const total = (rows: { series: string; events: number }[], s: string) => rows.filter((r) => r.series === s).reduce((a, r) => a + r.events, 0)
      expect([total(byCause, 'gone'), total(byCause, 'html_instead_of_script'), total(byCause, 'network')]).toEqual([3, 2, 1])
      const byVersion = await skewErrorMinutes({ projectId, from, to, by: 'version', source: 'raw' })
      expect([total(byVersion, 'v1'), total(byVersion, 'v2')]).toEqual([5, 1])

      const spikes = await skewErrorSpikes(projectId, from, to, { source: 'raw' })
      expect(spikes.reduce((s, p) => s + p.count, 0)).toBe(6)
      expect(spikes.map((s) => s.topCause)).toContain('gone')

      // 5 errors from v1 over the 4 live tabs of v1 (the one v2 tab is the latest's): 1.25 per tab.
      const ctx = measureContext(Date.now() + 1, async () => 300)
      const alert = await measure(projectId, conditionSchema.parse({ kind: 'skew_errors', perTabAbove: 1, minTabs: 2 }), ctx)
      expect(alert).toMatchObject({ value: 1.25, threshold: 1, breaching: true })
      expect(alert.summary).toMatch(/older than v2: 1\.25 per live tab \(5 in the last 5 min over 4 tabs\)/)
      const few = await measure(projectId, conditionSchema.parse({ kind: 'skew_errors', perTabAbove: 1, minTabs: 5 }), measureContext(Date.now() + 1, async () => 300))
      expect(few).toMatchObject({ value: null, breaching: false })

      const families = skewErrorFamilies(await skewErrorsByProject(Date.now() + 1))
      const samples = (name: string): readonly Sample[] => {
        const family = families.find((f) => f.name === name)
        return family && 'samples' in family ? family.samples.filter((s) => s.labels?.project === projectId) : []
      }
      expect(samples('stalewatch_skew_errors_5m').map((s) => [s.labels!.cause, s.value])).toEqual([
        ['gone', 3],
        ['html_instead_of_script', 2],
        ['network', 1],
      ])
      expect(samples('stalewatch_skew_errors_older_builds_5m').map((s) => s.value)).toEqual([5])
    } finally {
      await server.close()
    }
  })
})
