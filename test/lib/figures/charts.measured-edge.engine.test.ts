import { describe, expect, it } from 'vitest'
import { projectById } from '@/lib/projects/project-directory'
import { registerRelease } from '@/lib/releases/release-store'
import { chartContext, findRelease } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { testProject, useEngine } from '../../support/engine'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'

// Issue #27, "No figure beyond what was measured": a chart asked past now
// (the explorer's window, an export with to in the future) has no points
// after the last minute measured, and an adoption curve has none before its
// release. Against the real engine.
useEngine()

describe('charts say nothing beyond what was measured', () => {
  it('have no live points after now, however far the window reaches', async () => {
    const project = await testProject('future')
    const now = Date.now()
    const minute = Math.floor(now / M) * M
    await registerRelease({ project: project.id, version: 'v1', releasedAt: minute - 60 * M })
    await sendAll(project.ingestKey, [new Tab('v1').beat(minute - 20 * M, minute), new Tab('v1').beat(minute - 20 * M, minute)], false)
    const ctx = await chartContext((await projectById(project.id))!, 'raw')

    const chart = await loadChart(ctx, 'versions', { from: minute - 10 * M, to: minute + 10 * M }, now)
    expect(chart.points.find((p) => p.x === minute)!.values).toEqual({ v1: 2 })
    const future = chart.points.filter((p) => p.x > now)
    expect(future).toHaveLength(10)
    for (const p of future) expect(p.values, `${new Date(p.x).toISOString()}, asked at ${new Date(now).toISOString()}`).toEqual({ v1: null })
    const share = await loadChart(ctx, 'stale-share', { from: minute - 10 * M, to: minute + 10 * M }, now)
    for (const p of share.points.filter((q) => q.x > now)) expect(p.values).toEqual({ 'stale share': null })
  })

  it('draw no adoption before the release', async () => {
    const project = await testProject('adoption-start')
    const minute = Math.floor(Date.now() / M) * M
    const releasedAt = minute - 10 * M
    await registerRelease({ project: project.id, version: 'v1', releasedAt: minute - 60 * M })
    await registerRelease({ project: project.id, version: 'v2', releasedAt })
    await sendAll(project.ingestKey, [new Tab('v1').beat(minute - 30 * M, minute), new Tab('v1').beat(minute - 30 * M, releasedAt + 2 * M).reload(releasedAt + 3 * M, 'v2').beat(releasedAt + 3 * M, minute)], false)
    const ctx = await chartContext((await projectById(project.id))!, 'raw')
    const release = findRelease(ctx, 'v2')!

    const chart = await loadChart(ctx, 'adoption', { from: releasedAt - 15 * M, to: minute, release })
    const before = chart.points.filter((p) => p.x < releasedAt)
    expect(before).toHaveLength(15)
    for (const p of before) expect(p.values, new Date(p.x).toISOString()).toEqual({ v2: null })
    expect(chart.points.find((p) => p.x === releasedAt + 5 * M)!.values).toEqual({ v2: 0.5 })
  })
})
