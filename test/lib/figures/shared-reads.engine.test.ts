import { beforeAll, describe, expect, it } from 'vitest'
import { config } from '@/lib/config'
import { chartContext, pageChartContext } from '@/lib/figures/chart-context'
import { drawnChart } from '@/lib/figures/charts'
import { projectOverview } from '@/lib/figures/overview'
import { writeRollupState } from '@/lib/figures/rollup-edge'
import { figureTick, sharedFigure, sharedReadCounts } from '@/lib/figures/shared-reads'
import { registerRelease, setMinSupported } from '@/lib/releases/release-store'
import { insertRows, onQueryTimed } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'
import { testProject, useEngine } from '../../support/engine'
import { eventRowsFor } from '../../support/event-rows'

// One computation per project, figure and tick, shared by every viewer
// (lib/figures/shared-reads.ts), on the real engine: what twenty dashboards
// rendering in one tick cost the engine, and what makes a figure read again.
useEngine()

const HOUR = 3600_000
let project: { id: string; livenessWindowSeconds: number }

/** The names of the engine reads `work` ran. */
async function readsOf(work: () => Promise<unknown>): Promise<string[]> {
  const names: string[] = []
  const off = onQueryTimed((q) => names.push(q.name))
  try {
    await work()
  } finally {
    off()
  }
  return names.sort()
}

/** A viewer's overview page: its figures and its first chart, as app/(dashboard)/page.tsx renders them. */
async function viewOverview(at: number) {
  const ctx = await pageChartContext(project)
  return Promise.all([
    sharedFigure(project.id, 'overview', { at, windowSeconds: ctx.windowSeconds }, () => projectOverview(ctx, at)),
    drawnChart(ctx, 'versions', { from: at - HOUR, to: at }, undefined, at),
  ])
}

beforeAll(async () => {
  project = { id: (await testProject('shared')).id, livenessWindowSeconds: 180 }
  await insertRows('test', table('events'), eventRowsFor(project.id, 70, Date.now() - 30_000))
})

describe('figures shared by every viewer within a tick', () => {
  it('twenty viewers rendering in one tick cost the engine one viewer\'s reads and see the same figures', async () => {
    const tick = config().figureTickMs
    await viewOverview(figureTick() - 3 * tick) // the catalog and the rollup edge, cached for seconds, read before counting
    const one = await readsOf(() => viewOverview(figureTick() - 2 * tick))
    let views: Awaited<ReturnType<typeof viewOverview>>[] = []
    const twenty = await readsOf(async () => {
      views = await Promise.all(Array.from({ length: 20 }, () => viewOverview(figureTick() - tick)))
    })
    expect(one.length).toBeGreaterThan(2)
    expect(twenty).toEqual(one)
    for (const view of views) expect(view).toEqual(views[0])
    expect(views[0]![0].liveTotal).toBe(7)
  })

  it('a shared figure is the figure read afresh', async () => {
    const at = figureTick()
    const [shared] = await viewOverview(at)
    const fresh = await projectOverview(await chartContext(project), at)
    expect(shared).toEqual(fresh)
  })

  it('reads again in the next tick, after a rollup edge is published, and after a release or a minimum change', async () => {
    let reads = 0
    const read = async () => ++reads
    const now = figureTick() + 10
    const ask = (at = now) => sharedFigure(project.id, 'counted', { at: 1 }, read, at)
    expect(await ask()).toBe(1)
    expect(await ask(now + 1)).toBe(1)
    expect(await ask(now + config().figureTickMs)).toBe(2)
    const later = now + config().figureTickMs
    await writeRollupState(project.id, { through: 0, runStartedAt: 0 })
    expect(await ask(later)).toBe(3)
    expect(await ask(later)).toBe(3)
    await registerRelease({ project: project.id, version: '2.0.0' })
    expect(await ask(later)).toBe(4)
    await setMinSupported(project.id, '1.0.0')
    expect(await ask(later)).toBe(5)
  })

  it('shares a read still in flight, and keeps no failed read', async () => {
    let reads = 0
    let fail = true
    const read = async () => {
      reads++
      await new Promise((r) => setTimeout(r, 20))
      if (fail) throw new Error('engine refused')
      return reads
    }
    const now = figureTick() + 10
    const asked = [sharedFigure(project.id, 'flaky', {}, read, now), sharedFigure(project.id, 'flaky', {}, read, now)]
    await expect(asked[0]).rejects.toThrow('engine refused')
    await expect(asked[1]).rejects.toThrow('engine refused')
    expect(reads).toBe(1)
    fail = false
    expect(await sharedFigure(project.id, 'flaky', {}, read, now)).toBe(2)
  })

  it('an export\'s context reads afresh: its figures are not shared', async () => {
    const [warm, one, other] = [await chartContext(project), await chartContext(project), await chartContext(project)]
    const at = figureTick()
    await drawnChart(warm, 'versions', { from: at - HOUR, to: at }, undefined, at) // the rollup edge, cached for seconds
    const first = await readsOf(() => drawnChart(one, 'versions', { from: at - HOUR, to: at }, undefined, at))
    const again = await readsOf(() => drawnChart(other, 'versions', { from: at - HOUR, to: at }, undefined, at))
    expect(first.length).toBeGreaterThan(0)
    expect(again).toEqual(first)
  })

  it('keeps no figure of a past tick: they go at the first read of a later tick', async () => {
    const now = figureTick() + 10
    const tick = config().figureTickMs
    for (let i = 0; i < 50; i++) await sharedFigure(project.id, 'per-instant', { at: i }, async () => i, now)
    expect(sharedReadCounts().kept).toBeGreaterThanOrEqual(50)
    await sharedFigure(project.id, 'per-instant', { at: 'later' }, async () => 0, now + 2 * tick)
    expect(sharedReadCounts().kept).toBe(1)
  })
})
