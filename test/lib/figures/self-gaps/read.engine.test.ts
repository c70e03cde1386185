import { describe, expect, it } from 'vitest'
import { projectById } from '@/lib/projects/project-directory'
import { registerRelease } from '@/lib/releases/release-store'
import { chartContext } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { selfGaps } from '@/lib/figures/self-gaps/read'
import { selfHealthTable, type HealthKind } from '@/lib/self-gaps/table'
import { insertRows } from '@/lib/store/run-query'
import { qualified } from '@/lib/store/tables'
import { testProject, useEngine } from '../../../support/engine'
import { M, S, sendAll, Tab } from '../../../support/known-answer-tabs'

// Stalewatch's own gaps (issue 24): read back from what the server processes
// recorded (lib/self-gaps/), and a stretch in which Stalewatch heard no tab
// drawn empty on the charts, never as tabs leaving. Against the real engine;
// self_health is shared by the file's tests, so each uses its own hours.
useEngine()

interface Row {
  node: string
  at: number
  kind: HealthKind
  code?: string
  value?: number
  interval?: number
}

const record = (rows: readonly Row[]) =>
  insertRows(
    'testSelfHealth',
    qualified(selfHealthTable(30)),
    rows.map((r) => ({ node: r.node, at: r.at, kind: r.kind, code: r.code ?? '', value: r.value ?? 0, interval_ms: r.interval ?? 10 * S })),
  )

/** A process that starts at `from`, beats every 10 s and (if `stop`) stops cleanly at `to`. */
function run(node: string, from: number, to: number, stop: boolean): Row[] {
  const rows: Row[] = [{ node, at: from, kind: 'start' }]
  for (let t = from + 10 * S; t <= to; t += 10 * S) rows.push({ node, at: t, kind: 'beat' })
  if (stop) rows.push({ node, at: to + 500, kind: 'stop' })
  return rows
}

describe("Stalewatch's own gaps", () => {
  it('a stretch in which Stalewatch was down is drawn empty, with its band, not as tabs leaving', async () => {
    const project = await testProject('outage')
    const minute = Math.floor(Date.now() / M) * M
    await registerRelease({ project: project.id, version: 'v1', releasedAt: minute - 60 * M })
    // Three tabs beat every minute; Stalewatch is down from minute-15 to minute-12, and their beats of then never arrive.
    const tabs = [0, 1, 2].map(() => new Tab('v1').beat(minute - 30 * M, minute - 16 * M).beat(minute - 11 * M, minute))
    await sendAll(project.ingestKey, tabs, false)
    await record([...run('host:1', minute - 40 * M, minute - 15 * M, true), ...run('host:2', minute - 12 * M, minute, false)])
    const ctx = await chartContext((await projectById(project.id))!, 'raw')

    const chart = await loadChart(ctx, 'versions', { from: minute - 25 * M, to: minute }, minute)
    // Never fewer than the three tabs where a value is drawn: the outage is empty, not a dip.
    const drawn = chart.points.filter((p) => p.values.v1 !== null)
    for (const p of drawn) expect(p.values.v1, new Date(p.x).toISOString()).toBe(3)
    const empty = chart.points.filter((p) => p.values.v1 === null).map((p) => (p.x - minute) / M)
    // Each point whose liveness window (3 min back) or minute touches the outage.
    expect(empty).toEqual([-15, -14, -13, -12, -11, -10])
    // The band the chart draws over them.
    expect(chart.gaps).toEqual([expect.objectContaining({ kind: 'down', from: minute - 15 * M + 500, to: minute - 12 * M, unheard: true })])
    expect(chart.gaps![0]!.summary).toBe('Stalewatch down 3 min (stopped, then restarted)')
    // The event chart leaves the same minutes empty rather than drawing no events.
    const events = await loadChart(ctx, 'reloads', { from: minute - 25 * M, to: minute }, minute)
    expect(events.points.filter((p) => (p.x - minute) / M === -13).map((p) => Object.values(p.values).every((v) => v === null))).toEqual([true])
  })

  it('reads restarts, silences, 503s, backlog and storage blocked as stretches, each with its figures', async () => {
    const base = Math.floor(Date.now() / M) * M - 48 * 60 * M
    await record([
      // Runs cleanly, stops, restarts 2 s later; later dies (no stop) and starts again 58 s after its last heartbeat.
      ...run('host:10', base, base + 10 * M, true),
      ...run('host:11', base + 10 * M + 2_500, base + 20 * M, false),
      ...run('host:12', base + 20 * M + 50 * S, base + 40 * M, false),
      // Ingest answered 503 in three ticks in a row, with two codes, then once more later.
      { node: 'host:12', at: base + 25 * M, kind: 'shed', code: 'storage_unavailable', value: 40 },
      { node: 'host:12', at: base + 25 * M + 10 * S, kind: 'shed', code: 'storage_unavailable', value: 35 },
      { node: 'host:12', at: base + 25 * M + 20 * S, kind: 'shed', code: 'overloaded', value: 5 },
      { node: 'host:12', at: base + 30 * M, kind: 'shed', code: 'overloaded', value: 2 },
      { node: 'host:12', at: base + 25 * M + 10 * S, kind: 'storage_blocked', value: 900 },
      { node: 'host:12', at: base + 25 * M + 20 * S, kind: 'backlog', value: 0.62 },
    ])
    const gaps = await selfGaps({ from: base - 5 * M, to: base + 45 * M })
    expect(gaps.map((g) => [g.kind, (g.from - base) / S, (g.to - base) / S, g.unheard, g.summary])).toEqual([
      ['down', 600.5, 602.5, true, 'Stalewatch down 2 s (stopped, then restarted)'],
      ['down', 1192.5, 1250, true, 'Stalewatch down 58 s (no heartbeat, then restarted)'],
      ['shed', 1490, 1520, false, 'Ingest answered 503 for 30 s: 75 storage_unavailable, 5 overloaded'],
      ['storage_blocked', 1500, 1510, false, 'Storage blocked for 10 s: the ingest log did not drain (up to 900 rows waiting)'],
      ['backlog', 1510, 1520, false, 'Ingest log backlog for 10 s, up to 62 % of its bound'],
      ['shed', 1790, 1800, false, 'Ingest answered 503 for 10 s: 2 overloaded'],
    ])
  })
})
