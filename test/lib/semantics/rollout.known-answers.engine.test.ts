import { beforeAll, describe, expect, it } from 'vitest'
import type { ChartData } from '@/lib/charts/chart-data'
import { projectById } from '@/lib/projects/project-directory'
import { invalidateCatalog } from '@/lib/releases/catalog-staleness'
import { registerRelease } from '@/lib/releases/release-store'
import { chartContext, findRelease, type ChartContext } from '@/lib/figures/chart-context'
import { loadChart } from '@/lib/figures/charts'
import { eventMinutes } from '@/lib/figures/event-rates/read-minutes'
import { projectOverview } from '@/lib/figures/overview'
import { catalogKeyThrough } from '@/lib/releases/catalog-key'
import { readReleaseFigures, releaseFiguresKey } from '@/lib/figures/release-summaries/read-stored'
import { releaseSummaries, type ReleaseSummary } from '@/lib/figures/release-summaries/summaries'
import { reloadUpgradesSince } from '@/lib/figures/upgrades-by-reload/read-since'
import { figuresChanged } from '@/lib/figures/shared-reads'
import { rollupProject } from '@/lib/rollup-runner/run-project'
import { liveInstantsTable } from '@/lib/figures/stragglers/table'
import { qualified } from '@/lib/store/tables'
import { onQueryTimed, runQuery } from '@/lib/store/run-query'
import { testProject, useEngine } from '../../support/engine'
import { M, S, sendAll, Tab } from '../../support/known-answer-tabs'

// Rollout figures (docs/semantics.md, Rollout) on crafted traffic with a hand-computed
// answer, through the real pipeline into the real engine, every request sent
// twice. Each figure is checked three ways: from raw events, with the rollup
// covering part of the range, and with the rollup covering all of it.
useEngine()

const HOUR = 60 * M
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR
type Mode = 'raw' | 'partial rollup' | 'full rollup'
const MODES: Mode[] = ['raw', 'partial rollup', 'full rollup']

interface Scenario {
  projectId: string
  key: string
  at: number
}

async function setUp(name: string, releases: [string, number][], tabs: Tab[], at: number, lateReleases: [string, number][] = []): Promise<Scenario> {
  const project = await testProject(name)
  for (const [version, releasedAt] of releases) await registerRelease({ project: project.id, version, releasedAt })
  await sendAll(project.ingestKey, tabs)
  // Registered only after clients already ran it.
  for (const [version, releasedAt] of lateReleases) await registerRelease({ project: project.id, version, releasedAt })
  return { projectId: project.id, key: project.ingestKey, at }
}

async function context(s: Scenario, mode: Mode): Promise<ChartContext> {
  const project = (await projectById(s.projectId))!
  invalidateCatalog(s.projectId)
  return chartContext(project, mode === 'raw' ? 'raw' : 'auto')
}

async function rollUp(s: Scenario, mode: Mode): Promise<void> {
  if (mode === 'partial rollup') await rollupProject(s.projectId, 180, T0 + 35 * M)
  if (mode === 'full rollup') await rollupProject(s.projectId, 180, s.at + 2 * M)
}

const valueAt = (chart: ChartData, x: number, series: string) => chart.points.find((p) => p.x === x)?.values[series]
const summaryOf = (list: ReleaseSummary[], version: string, releasedAt: number) => list.find((r) => r.version === version && r.releasedAt === releasedAt)!

describe('a release adopted by reloads and new tabs, with a straggler', () => {
  let s: Scenario
  const at = T0 + 130 * M
  const tabs = () => [
    new Tab('v1').beat(T0 - 30 * M, T0 + 4 * M).reload(T0 + 5 * M, 'v2', 'update_prompt').beat(T0 + 6 * M, at),
    new Tab('v1').beat(T0 - 30 * M, T0 + 19 * M).reload(T0 + 20 * M, 'v2').beat(T0 + 21 * M, at),
    new Tab('v1').beat(T0 - 30 * M, T0 + 120 * M),
    new Tab('v1').beat(T0 - 30 * M, T0 + 30 * M),
    new Tab('v2').beat(T0 + 10 * M, at),
  ]
  beforeAll(async () => {
    s = await setUp('adoption', [['v1', T0 - HOUR], ['v2', T0]], tabs(), at)
  })

  it('finds time to X % reached in the minutes after the stored figures', async () => {
    const fresh = await setUp('adoption-after-edge', [['v1', T0 - HOUR], ['v2', T0]], tabs(), at)
    // The rollup's edge is T0 + 122 min; 90 and 99 % are first reached at the boundary T0 + 123 min.
    await rollupProject(fresh.projectId, 180, T0 + 123 * M)
    const ctx = await context(fresh, 'partial rollup')
    const stored = await readReleaseFigures({ projectId: fresh.projectId, windowSeconds: 180, catalogKey: catalogKeyThrough(ctx.catalog, T0 + 122 * M), through: T0 + 122 * M })
    expect(stored.get(releaseFiguresKey({ version: 'v2', releasedAt: T0 }))?.timeTo).toEqual([20 * M, null, null])
    const summary = summaryOf(await releaseSummaries(ctx, { at: T0 + 124 * M }), 'v2', T0)
    expect(summary.timeTo).toEqual({ '50': 20 * M, '90': 123 * M, '99': 123 * M })
  })

  for (const mode of MODES) {
    it(`gives adoption, time to X %, stragglers and upgrades (${mode})`, async () => {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      const v2 = findRelease(ctx, 'v2')!
      const adoption = await loadChart(ctx, 'adoption', { from: T0 - 10 * M, to: at, release: v2 })
      expect(valueAt(adoption, T0, 'v2')).toBe(0)
      expect(valueAt(adoption, T0 + 5 * M, 'v2')).toBe(1 / 4)
      expect(valueAt(adoption, T0 + 10 * M, 'v2')).toBe(2 / 5)
      expect(valueAt(adoption, T0 + 20 * M, 'v2')).toBe(3 / 5)
      expect(valueAt(adoption, T0 + 32 * M, 'v2')).toBe(3 / 5)
      expect(valueAt(adoption, T0 + 33 * M, 'v2')).toBe(3 / 4)
      expect(valueAt(adoption, T0 + 123 * M, 'v2')).toBe(1)

      const list = await releaseSummaries(ctx, { at })
      const summary = summaryOf(list, 'v2', T0)
      expect(summary.timeTo).toEqual({ '50': 20 * M, '90': 123 * M, '99': 123 * M })
      expect(summary.adoptionNow).toBe(1)
      expect(summary.stragglers).toBe(1)
      expect(summary.upgradedByReload.total).toBe(2)
      expect(summary.upgradedByReload.byReason).toEqual([
        { reason: 'update_prompt', sessions: 1 },
        { reason: 'user', sessions: 1 },
      ])
      expect(summaryOf(list, 'v1', T0 - HOUR).timeTo['50']).toBe(30 * M)

      const stale = await loadChart(ctx, 'stale-share', { from: T0, to: at })
      expect(valueAt(stale, T0 + 60 * M, 'stale share')).toBe(1 / 4)
      const overview = await projectOverview(ctx, at)
      expect(overview.liveTotal).toBe(3)
      expect(overview.staleShare).toBe(0)
      expect(overview.latest).toMatchObject({ version: 'v2', adoption: 1 })
    })
  }

  it('takes late events into the rollup when it runs again', async () => {
    await rollupProject(s.projectId, 180, at + 2 * M)
    // A tab that was offline: its events from 40 and 45 minutes after the release reach the server only now.
    const now = Date.now()
    await sendAll(s.key, [new Tab('v1').lateBeat(T0 + 40 * M, now).lateBeat(T0 + 45 * M, now)])
    await rollupProject(s.projectId, 180, at + 2 * M)
    for (const mode of ['raw', 'full rollup'] as const) {
      const ctx = await context(s, mode)
      const adoption = await loadChart(ctx, 'adoption', { from: T0 + 38 * M, to: T0 + 50 * M, release: findRelease(ctx, 'v2') })
      expect(valueAt(adoption, T0 + 41 * M, 'v2')).toBe(3 / 5)
      expect(valueAt(adoption, T0 + 46 * M, 'v2')).toBe(3 / 5)
      expect(valueAt(adoption, T0 + 49 * M, 'v2')).toBe(3 / 4)
    }
  })

  it('computes stragglers at releasedAt + grace only once those minutes are final, and again after late events', async () => {
    const instant = T0 + HOUR
    const computations = async () => {
      const rows = await runQuery<{ n: string }>(
        'test.liveInstants',
        `SELECT count() AS n FROM ${qualified(liveInstantsTable)} WHERE project_id = {project:String} AND at = fromUnixTimestamp64Milli({at:Int64}, 'UTC') AND version = ''`,
        { project: s.projectId, at: instant },
      )
      return Number(rows[0]!.n)
    }
    // A rollup that stopped before the instant has not computed it: the figure comes from raw events.
    const early = await testProject('stragglers-early')
    await registerRelease({ project: early.id, version: 'v1', releasedAt: T0 })
    await sendAll(early.ingestKey, [new Tab('v1').beat(T0 - 10 * M, T0 + 30 * M)])
    await rollupProject(early.id, 180, instant - 5 * M)
    expect(await runQuery('test.liveInstants', `SELECT 1 FROM ${qualified(liveInstantsTable)} WHERE project_id = {project:String}`, { project: early.id })).toEqual([])

    // Once it has, pages read the instant from the rollup, which recomputes it when late events reopen it.
    await rollupProject(s.projectId, 180, at + 2 * M)
    expect(await computations()).toBeGreaterThan(0)
    // A tab still on v1 at the instant, whose events reach the server only now.
    await sendAll(s.key, [new Tab('v1').lateBeat(instant - M, Date.now()).lateBeat(instant, Date.now())])
    await rollupProject(s.projectId, 180, at + 2 * M)
    for (const mode of ['raw', 'full rollup'] as const) {
      const ctx = await context(s, mode)
      const list = await releaseSummaries(ctx, { at })
      expect(summaryOf(list, 'v2', T0).stragglers, mode).toBe(2)
    }
  })
})

describe('a version never registered, and a release registered after clients ran it', () => {
  let s: Scenario
  const at = T0 + 160 * M
  beforeAll(async () => {
    const tabs = [
      new Tab('v2').beat(T0, at),
      new Tab('hotfix-x').beat(T0 + 40 * M, at),
      new Tab('v3').beat(T0 + 60 * M, at),
      new Tab('v2').beat(T0, at),
    ]
    s = await setUp('unregistered', [['v2', T0]], tabs, at, [['v3', T0 + 90 * M]])
  })

  for (const mode of MODES) {
    it(`orders the unregistered version by first seen and the late release by its release time (${mode})`, async () => {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      const stale = await loadChart(ctx, 'stale-share', { from: T0, to: at })
      expect(valueAt(stale, T0 + 70 * M, 'stale share')).toBe(0)
      expect(valueAt(stale, T0 + 100 * M, 'stale share')).toBe(3 / 4)
      const list = await releaseSummaries(ctx, { at })
      const v3 = summaryOf(list, 'v3', T0 + 90 * M)
      expect(v3.adoptionNow).toBe(1 / 4)
      expect(v3.timeTo).toEqual({ '50': null, '90': null, '99': null })
      expect(v3.stragglers).toBe(3)
      const v2 = summaryOf(list, 'v2', T0)
      expect(v2.timeTo['99']).toBe(0)
      expect(v2.stragglers).toBe(0)
      const overview = await projectOverview(ctx, at)
      expect(overview.versions.find((v) => v.version === 'hotfix-x')?.status).toBe('stale')
      expect(overview.latest?.version).toBe('v3')
    })
  }
})

describe('a rollback re-releasing an older build, with skewed client clocks', () => {
  let s: Scenario
  const at = T0 + 60 * M
  beforeAll(async () => {
    const tabs = [
      new Tab('v1', 2 * HOUR).beat(T0 - 10 * M, at),
      new Tab('v2').beat(T0, at),
      new Tab('v2', -3 * HOUR).beat(T0, at),
      new Tab('v1').beat(T0 - 10 * M, T0 + 9 * M).reload(T0 + 10 * M, 'v2', 'forced').beat(T0 + 11 * M, at),
      new Tab('v2').beat(T0, T0 + 39 * M).reload(T0 + 40 * M, 'v1', 'chunk_error').beat(T0 + 41 * M, at),
    ]
    s = await setUp('rollback', [['v1', T0 - HOUR], ['v2', T0], ['v1', T0 + 30 * M]], tabs, at)
  })

  for (const mode of MODES) {
    it(`counts the build rolled back from as stale (${mode})`, async () => {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      const stale = await loadChart(ctx, 'stale-share', { from: T0, to: at })
      expect(valueAt(stale, T0 + 15 * M, 'stale share')).toBe(1 / 5)
      expect(valueAt(stale, T0 + 45 * M, 'stale share')).toBe(3 / 5)
      const rollback = findRelease(ctx, 'v1')!
      expect(rollback.releasedAt).toBe(T0 + 30 * M)
      const adoption = await loadChart(ctx, 'adoption', { from: T0 + 30 * M, to: at, release: rollback })
      expect(valueAt(adoption, T0 + 30 * M, 'v1')).toBe(1 / 5)
      expect(valueAt(adoption, T0 + 45 * M, 'v1')).toBe(2 / 5)

      const list = await releaseSummaries(ctx, { at, graceMs: 20 * M })
      const v1Again = summaryOf(list, 'v1', T0 + 30 * M)
      expect(v1Again.timeTo['50']).toBeNull()
      expect(v1Again.stragglers).toBe(3)
      expect(v1Again.upgradedByReload).toEqual({ total: 1, byReason: [{ reason: 'chunk_error', sessions: 1 }] })
      const v2 = summaryOf(list, 'v2', T0)
      expect(v2.timeTo['50']).toBe(0)
      expect(v2.upgradedByReload).toEqual({ total: 1, byReason: [{ reason: 'forced', sessions: 1 }] })
      expect((await projectOverview(ctx, T0 + 45 * M)).liveTotal).toBe(5)
    })
  }
})

describe('upgrades by reload around a rollback registered in the middle of a minute', () => {
  let s: Scenario
  let firstTab: Tab
  const rollbackAt = T0 + 30 * M + 20 * S
  const at = T0 + 60 * M
  beforeAll(async () => {
    // Into v2 by the button, back to v1 (not an upgrade: v1 is older then), into v2 again when forced: one session, two reasons.
    firstTab = new Tab('v1').beat(T0 - 10 * M, T0 + 4 * M).reload(T0 + 5 * M, 'v2').beat(T0 + 6 * M, T0 + 9 * M).reload(T0 + 10 * M, 'v1', 'app')
        .beat(T0 + 11 * M, T0 + 14 * M).reload(T0 + 15 * M, 'v2', 'forced').beat(T0 + 16 * M, at)
    const tabs = [
      firstTab,
      // In the rollback's minute: into v2 before it (an upgrade), into v1 after it (an upgrade to the rolled-back-to build).
      new Tab('v1').beat(T0 - 10 * M, T0 + 29 * M).reload(T0 + 30 * M + 10 * S, 'v2', 'update_prompt').beat(T0 + 31 * M, at),
      new Tab('v2').beat(T0, T0 + 29 * M).reload(T0 + 30 * M + 40 * S, 'v1', 'chunk_error').beat(T0 + 31 * M, at),
      // Also in that minute, neither is an upgrade: v2 to v1 before the rollback, v1 to v2 after it.
      new Tab('v2').beat(T0, T0 + 29 * M).reload(T0 + 30 * M + 5 * S, 'v1').beat(T0 + 31 * M, at),
      new Tab('v1').beat(T0 - 10 * M, T0 + 29 * M).reload(T0 + 30 * M + 50 * S, 'v2', 'update_prompt').beat(T0 + 31 * M, at),
      // After the partial rollup's edge.
      new Tab('v2').beat(T0, T0 + 44 * M).reload(T0 + 45 * M, 'v1', 'update_prompt').beat(T0 + 46 * M, at),
    ]
    s = await setUp('upgrades-mid-minute', [['v1', T0 - HOUR], ['v2', T0], ['v1', rollbackAt]], tabs, at)
  })

  for (const mode of MODES) {
    it(`orders each load by the releases before it, within the minute too (${mode})`, async () => {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      const list = await releaseSummaries(ctx, { at })
      expect(summaryOf(list, 'v2', T0).upgradedByReload).toEqual({
        total: 2,
        byReason: [
          { reason: 'forced', sessions: 1 },
          { reason: 'update_prompt', sessions: 1 },
          { reason: 'user', sessions: 1 },
        ],
      })
      expect(summaryOf(list, 'v1', rollbackAt).upgradedByReload).toEqual({
        total: 2,
        byReason: [
          { reason: 'chunk_error', sessions: 1 },
          { reason: 'update_prompt', sessions: 1 },
        ],
      })
    })
  }

  it('moves a load to the reason a late reload event gives it when the rollup recomputes the minute', async () => {
    await rollupProject(s.projectId, 180, at + 2 * M)
    // The first tab's reload at T0 + 5 min was announced after all; that event reaches the server only now.
    await sendAll(s.key, [firstTab.lateReloadEvent(T0 + 5 * M - 2 * S, 'v1', 'update_prompt', Date.now())])
    await rollupProject(s.projectId, 180, at + 2 * M)
    for (const mode of ['raw', 'full rollup'] as const) {
      const ctx = await context(s, mode)
      expect(summaryOf(await releaseSummaries(ctx, { at }), 'v2', T0).upgradedByReload, mode).toEqual({
        total: 2,
        byReason: [
          { reason: 'update_prompt', sessions: 2 },
          { reason: 'forced', sessions: 1 },
        ],
      })
    }
  })
})

describe('upgrades on both sides of the rollup edge, where the page adds what came after the stored figures', () => {
  let s: Scenario
  const at = T0 + 60 * M
  const edge = T0 + 34 * M // where the partial rollup stops: rollupProject(now = T0 + 35 min)
  const releases: [string, number][] = [['v1', T0 - HOUR], ['v2', T0]]
  const tabs = () => [
      // Upgrades before the edge, goes back to v1, upgrades again after it: one session, two reasons.
      new Tab('v1').beat(T0 - 10 * M, T0 + 4 * M).reload(T0 + 5 * M, 'v2', 'update_prompt').beat(T0 + 6 * M, T0 + 9 * M).reload(T0 + 10 * M, 'v1', 'app')
        .beat(T0 + 11 * M, T0 + 39 * M).reload(T0 + 40 * M, 'v2', 'forced').beat(T0 + 41 * M, at),
      // Before the edge only, and after it only (the browser's button).
      new Tab('v1').beat(T0 - 10 * M, T0 + 19 * M).reload(T0 + 20 * M, 'v2', 'update_prompt').beat(T0 + 21 * M, at),
      new Tab('v1').beat(T0 - 10 * M, T0 + 44 * M).reload(T0 + 45 * M, 'v2').beat(T0 + 46 * M, at),
  ]
  beforeAll(async () => {
    s = await setUp('upgrades-across-edge', releases, tabs(), at)
  })

  const expected = {
    total: 3,
    byReason: [
      { reason: 'update_prompt', sessions: 2 },
      { reason: 'forced', sessions: 1 },
      { reason: 'user', sessions: 1 },
    ],
  }

  it('stores the figures up to the edge and counts each session once across it', async () => {
    await rollupProject(s.projectId, 180, T0 + 35 * M)
    const ctx = await context(s, 'partial rollup')
    const stored = await readReleaseFigures({ projectId: s.projectId, windowSeconds: 180, catalogKey: catalogKeyThrough(ctx.catalog, edge), through: edge })
    const v2 = stored.get(releaseFiguresKey({ version: 'v2', releasedAt: T0 }))
    expect(v2?.upgraded).toEqual({ total: 2, byReason: [{ reason: 'update_prompt', sessions: 2 }] })
    expect(summaryOf(await releaseSummaries(ctx, { at }), 'v2', T0).upgradedByReload).toEqual(expected)
  })

  it('counts the sessions upgraded since the edge alike whether their earlier loads are looked up by a list or by a subquery', async () => {
    // Its own project: a tab is added below.
    const s = await setUp('upgrades-since-lookups', releases, tabs(), at)
    await rollupProject(s.projectId, 180, T0 + 35 * M)
    const ctx = await context(s, 'partial rollup')
    // In reason order: the page's sum with the stored counts orders them.
    const since = async (listMax?: number) => {
      const v2 = (await reloadUpgradesSince({ projectId: s.projectId, versions: ['v2'], catalog: ctx.catalog, since: edge, listMax })).get('v2')!
      return { ...v2, byReason: [...v2.byReason].sort((a, b) => a.reason.localeCompare(b.reason)) }
    }
    // After the edge: the first tab's forced reload (it had upgraded before, under another reason) and the third's own.
    const bySubquery = await since(0)
    expect(bySubquery).toEqual({ total: 1, byReason: [{ reason: 'forced', sessions: 1 }, { reason: 'user', sessions: 1 }] })
    // A run's publication (the signal a run that changed something sends) drops what was looked up for the edge:
    // the list is looked up afresh.
    figuresChanged(s.projectId)
    const lookups: unknown[] = []
    const off = onQueryTimed((q) => {
      if (q.name === 'reloadUpgradesSince.earlier') lookups.push(q.params.sessions)
    })
    try {
      expect(await since()).toEqual(bySubquery)
      expect(lookups).toHaveLength(1)
      // Until the next publication, a session is looked up once: only a tab new to the tail is.
      expect(await since()).toEqual(bySubquery)
      expect(lookups).toHaveLength(1)
      const newcomer = new Tab('v1').beat(T0 + 36 * M, T0 + 40 * M).reload(T0 + 41 * M, 'v2', 'update_prompt').beat(T0 + 42 * M, at)
      await sendAll(s.key, [newcomer])
      expect(await since()).toEqual({ total: 2, byReason: [{ reason: 'forced', sessions: 1 }, { reason: 'update_prompt', sessions: 1 }, { reason: 'user', sessions: 1 }] })
      expect(lookups).toEqual([expect.any(Array), [newcomer.session]])
    } finally {
      off()
    }
  })

  it('gives the same figures from raw events and with the rollup covering everything', async () => {
    for (const mode of ['raw', 'full rollup'] as const) {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      expect(summaryOf(await releaseSummaries(ctx, { at }), 'v2', T0).upgradedByReload, mode).toEqual(expected)
    }
  })

  it('searches nothing before the edge when a release is registered after it', async () => {
    const s = await setUp('upgrades-across-edge-later-release', releases, tabs(), at)
    await rollupProject(s.projectId, 180, T0 + 35 * M)
    // v3, registered after the edge and first seen after it: the order up to the edge is unchanged, v3 reached no
    // share before its release and had no load before the edge.
    await registerRelease({ project: s.projectId, version: 'v3', releasedAt: T0 + 50 * M })
    await sendAll(s.key, [new Tab('v2').beat(T0 + 45 * M, T0 + 49 * M).reload(T0 + 50 * M, 'v3', 'forced').beat(T0 + 51 * M, at)])
    const ctx = await context(s, 'partial rollup')
    const reads: { name: string; targets?: unknown; from?: unknown }[] = []
    const off = onQueryTimed((q) => reads.push(q.name === 'releaseTimeTo' ? { name: q.name, targets: q.params.targets, from: q.params.targetFrom } : { name: q.name }))
    const list = await releaseSummaries(ctx, { at })
    off()
    // One search of the minutes after the edge, for the releases whose shares the stored figures had not reached;
    // no search of any release's or version's whole history.
    expect(reads.filter((r) => r.name === 'releaseTimeTo')).toEqual([{ name: 'releaseTimeTo', targets: ['v3', 'v2'], from: [T0 + 50 * M, edge + M] }])
    expect(reads.map((r) => r.name)).not.toContain('reloadUpgrades')
    // The same figures as computed from raw events.
    const raw = await releaseSummaries(await context(s, 'raw'), { at })
    for (const [version, releasedAt] of [['v1', T0 - HOUR], ['v2', T0], ['v3', T0 + 50 * M]] as const) {
      expect(summaryOf(list, version, releasedAt), version).toEqual(summaryOf(raw, version, releasedAt))
    }
    expect(summaryOf(list, 'v3', T0 + 50 * M).upgradedByReload).toEqual({ total: 1, byReason: [{ reason: 'forced', sessions: 1 }] })
    expect(summaryOf(list, 'v2', T0).upgradedByReload).toEqual(expected)

    // What the run stored (the release figures, the live counts at releasedAt + grace) is read once until a run publishes.
    const storedReads = async () => {
      const names: string[] = []
      const stop = onQueryTimed((q) => names.push(q.name))
      const again = await releaseSummaries(ctx, { at })
      stop()
      expect(again).toEqual(list)
      return names.filter((name) => name === 'releaseFigures' || name === 'liveAtInstants.rollup')
    }
    expect(reads.map((r) => r.name)).toEqual(expect.arrayContaining(['releaseFigures', 'liveAtInstants.rollup']))
    expect(await storedReads()).toEqual([])
    await rollupProject(s.projectId, 180, T0 + 35 * M)
    expect((await storedReads()).sort()).toEqual(['liveAtInstants.rollup', 'releaseFigures'])
  })

  it('computes the figures in full under a catalog the stored ones were not computed with', async () => {
    const s = await setUp('upgrades-across-edge-catalog', releases, tabs(), at)
    await rollupProject(s.projectId, 180, T0 + 35 * M)
    // v1 re-released (a rollback) before the edge but registered only now: the stored figures hold for the old order only.
    await registerRelease({ project: s.projectId, version: 'v1', releasedAt: T0 + 15 * M })
    for (const mode of ['raw', 'partial rollup'] as const) {
      const ctx = await context(s, mode)
      const list = await releaseSummaries(ctx, { at })
      // From then on v1 is the newest release, so only the reload into v2 at T0 + 5 min upgraded.
      expect(summaryOf(list, 'v2', T0).upgradedByReload, mode).toEqual({ total: 1, byReason: [{ reason: 'update_prompt', sessions: 1 }] })
    }
  })
})

describe('an upgrade whose reload event is slower in transit than the reload', () => {
  let s: Scenario
  const at = T0 + 60 * M

  beforeAll(async () => {
    // The reload event leaves as a beacon 300 ms before the load and arrives
    // 3 s later: its event time (corrected by its request's clock offset,
    // transit included) falls after the load's. The tab's clock runs 90 s fast.
    const tabs = [new Tab('v1', 90 * S).beat(T0 - 10 * M, T0 + 4 * M).slowBeaconReload(T0 + 5 * M, 'v2', 'update_prompt', 3 * S).beat(T0 + 6 * M, at)]
    s = await setUp('slow-beacon-reload', [['v1', T0 - HOUR], ['v2', T0]], tabs, at)
  })

  for (const mode of MODES) {
    it(`takes the reason of the reload event the tab sent before the load, by the tab's clock (${mode})`, async () => {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      expect(summaryOf(await releaseSummaries(ctx, { at }), 'v2', T0).upgradedByReload).toEqual({
        total: 1,
        byReason: [{ reason: 'update_prompt', sessions: 1 }],
      })
    })
  }
})

describe('the reloads chart by reason, across the rollup edge', () => {
  let s: Scenario
  let firstTab: Tab
  const at = T0 + 60 * M
  beforeAll(async () => {
    // Each reload event is sent 2 s before its load, so it falls in the minute before.
    firstTab = new Tab('v1').beat(T0 - 10 * M, T0 + 9 * M).reload(T0 + 10 * M, 'v2', 'update_prompt').beat(T0 + 11 * M, at)
    const tabs = [
      firstTab,
      new Tab('v1').beat(T0 - 10 * M, T0 + 19 * M).reload(T0 + 20 * M, 'v2', 'forced').beat(T0 + 21 * M, at),
      new Tab('v1').beat(T0 - 10 * M, T0 + 20 * M).reload(T0 + 20 * M + 30 * S, 'v2', 'update_prompt').beat(T0 + 21 * M, at),
      // After the partial rollup's edge.
      new Tab('v1').beat(T0 - 10 * M, T0 + 44 * M).reload(T0 + 45 * M, 'v2', 'update_prompt').beat(T0 + 46 * M, at),
      // The browser's button sends no reload event.
      new Tab('v1').beat(T0 - 10 * M, T0 + 29 * M).reload(T0 + 30 * M, 'v2').beat(T0 + 31 * M, at),
    ]
    s = await setUp('reloads-chart', [['v1', T0 - HOUR], ['v2', T0]], tabs, at)
  })

  const reloadsAt = (chart: ChartData, x: number) => Object.fromEntries(Object.entries(chart.points.find((p) => p.x === x)?.values ?? {}).filter(([, v]) => v !== 0))

  for (const mode of MODES) {
    it(`counts each reload event once, in its minute, under its reason (${mode})`, async () => {
      await rollUp(s, mode)
      const ctx = await context(s, mode)
      const chart = await loadChart(ctx, 'reloads', { from: T0, to: at })
      expect(chart.stepMinutes).toBe(1)
      expect(reloadsAt(chart, T0 + 9 * M)).toEqual({ update_prompt: 1 })
      expect(reloadsAt(chart, T0 + 19 * M)).toEqual({ forced: 1 })
      expect(reloadsAt(chart, T0 + 20 * M)).toEqual({ update_prompt: 1 })
      expect(reloadsAt(chart, T0 + 29 * M)).toEqual({})
      expect(reloadsAt(chart, T0 + 44 * M)).toEqual({ update_prompt: 1 })
      const total = chart.points.reduce((sum, p) => sum + Object.values(p.values).reduce<number>((a, v) => a + (v ?? 0), 0), 0)
      expect(total).toBe(4)
      // The same events by version: each reload event is sent from the build it leaves.
      const byVersion = await eventMinutes({ projectId: s.projectId, from: T0, to: at, kinds: ['reload'], seriesBy: 'version', source: ctx.source })
      expect(byVersion.filter((r) => r.minute === T0 + 44 * M)).toEqual([{ minute: T0 + 44 * M, kind: 'reload', series: 'v1', events: 1 }])
      expect(byVersion.map((r) => r.series)).toEqual(['v1', 'v1', 'v1', 'v1'])
    })
  }

  it('takes a late reload event into its minute when the rollup recomputes it', async () => {
    await rollupProject(s.projectId, 180, at + 2 * M)
    await sendAll(s.key, [firstTab.lateReloadEvent(T0 + 9 * M + 30 * S, 'v2', 'app', Date.now())])
    await rollupProject(s.projectId, 180, at + 2 * M)
    for (const mode of ['raw', 'full rollup'] as const) {
      const chart = await loadChart(await context(s, mode), 'reloads', { from: T0, to: at })
      expect(reloadsAt(chart, T0 + 9 * M), mode).toEqual({ app: 1, update_prompt: 1 })
    }
  })
})
