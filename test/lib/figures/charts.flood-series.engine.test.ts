import { describe, expect, it } from 'vitest'
import { projectById } from '@/lib/projects/project-directory'
import { registerRelease } from '@/lib/releases/release-store'
import { chartContext } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { projectOverview } from '@/lib/figures/overview'
import { testProject, useEngine } from '../../support/engine'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'

// Issue #22, "Charts keep their meaning under a flood": the public ingest key
// can send 10,000 sessions on junk versions. Registered releases (a deploy
// token or the admin vouches for them) keep their own series whatever the
// flood; the junk is what gets folded into "other", and the stale share says
// how much of it is on versions nobody registered.
useEngine()

describe('charts under a flood of junk versions', () => {
  it('keep every registered release as its own series and fold the unregistered versions first', async () => {
    const project = await testProject('flood')
    const to = Math.floor(Date.now() / M) * M
    const from = to - 20 * M
    const releases = [['r1', from - 120 * M], ['r2', from - 60 * M], ['r3', from - 30 * M]] as const
    for (const [version, releasedAt] of releases) await registerRelease({ project: project.id, version, releasedAt })
    const real = [new Tab('r1').beat(from - 5 * M, to - M), new Tab('r2').beat(from - 5 * M, to - M), new Tab('r2').beat(from - 5 * M, to - M), new Tab('r3').beat(from - 5 * M, to - M)]
    // Five junk versions first seen before r3 (so they count as stale), then 10,000 sessions on them.
    const junk = Array.from({ length: 5 }, (_, i) => `junk-${i}`)
    const flood = junk.map((v) => new Tab(v).beat(from - 40 * M, from - 40 * M))
    for (let i = 0; i < 10_000; i++) flood.push(new Tab(junk[i % 5]!).beat(to - M, to - M))
    // In rounds, as many clients would: all at once fills the ingest log's backlog bound (503).
    const tabs = [...real, ...flood]
    for (let i = 0; i < tabs.length; i += 500) await sendAll(project.ingestKey, tabs.slice(i, i + 500), false)
    const ctx = await chartContext((await projectById(project.id))!, 'raw')

    const chart = await loadChart(ctx, 'versions', { from, to })
    expect(chart.series.filter((s) => s.startsWith('r')).sort()).toEqual(['r1', 'r2', 'r3'])
    const last = chart.points.find((p) => p.x === to - M)!
    expect([last.values['r1'], last.values['r2'], last.values['r3']]).toEqual([1, 2, 1])
    const total = Object.values(last.values).reduce<number>((sum, v) => sum + (v ?? 0), 0)
    expect(total).toBe(10_004)

    const overview = await projectOverview(ctx, to - M)
    // r1, r2 and the junk are stale; all but the real r1 and r2 tabs on versions nobody registered.
    expect(overview.staleUnregistered).toBeGreaterThan(0.99 * overview.staleSessions)
    expect(overview.staleSessions - overview.staleUnregistered).toBeLessThan(0.01 * overview.staleSessions)
  }, 300_000)
})
