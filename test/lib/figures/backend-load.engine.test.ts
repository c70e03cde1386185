import { beforeAll, describe, expect, it } from 'vitest'
import type { AggregateItem } from '@/sdk/src/server/wire'
import type { ChartData } from '@/lib/charts/chart-data'
import { chartContext, findRelease, type ChartContext } from '@/lib/figures/chart-context'
import { loadChart, type ChartName } from '@/lib/figures/charts'
import { backendLoadNow } from '@/lib/figures/backend-load/read-now'
import { projectById } from '@/lib/projects/project-directory'
import { invalidateCatalog } from '@/lib/releases/catalog-staleness'
import { registerRelease } from '@/lib/releases/release-store'
import { rollupProject } from '@/lib/rollup-runner/run-project'
import { M, sendAll, Tab } from '../../support/known-answer-tabs'
import { testProject, useEngine } from '../../support/engine'
import { sendLoadAt } from '../../support/backend-load'

// Backend load by client version (docs/semantics.md) on crafted counts with a
// hand-computed answer, through the real aggregate pipeline into the real
// engine. Each chart is checked three ways, as the rollout figures are: from
// raw counts, with the rollup covering part of the window, and all of it;
// the three must also give the very same export.
useEngine()

const HOUR = 60 * M
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR
type Mode = 'raw' | 'partial rollup' | 'full rollup'
const MODES: Mode[] = ['raw', 'partial rollup', 'full rollup']

let projectId: string
let serverKey: string

/** What the app's two servers counted in minute T0 + m: v1 polls hard, v2 gently, and some requests carry no version. */
function countsOf(m: number): AggregateItem[] {
  const minute = T0 + m * M
  const items: AggregateItem[] = [
    // v1: 24 requests a minute, 4 of them 5xx, counted half by each server.
    { minute, kind: 'http', version: 'v1', route: '/api/feed', status: '2xx', count: 10 },
    { minute, kind: 'http', version: 'v1', route: '/api/feed', status: '5xx', count: 2 },
    { minute, kind: 'http', version: 'unknown', route: '/', status: '3xx', count: 3 },
  ]
  if (m >= 10) items.push({ minute, kind: 'http', version: 'v2', route: '/api/feed', status: '2xx', count: 2 })
  if (m === 30) items.push({ minute, kind: 'ws_reconnect', version: 'v1', route: '/live', status: '1xx', count: 100 })
  return items
}

beforeAll(async () => {
  const project = await testProject('backend-load')
  projectId = project.id
  serverKey = project.serverKey
  await registerRelease({ project: projectId, version: 'v1', releasedAt: T0 - HOUR })
  await registerRelease({ project: projectId, version: 'v2', releasedAt: T0 + 10 * M })
  // Live tabs: four on v1 (one reloads into v2 at T0 + 20 min), two on v2 from T0 + 10 min.
  await sendAll(project.ingestKey, [
    new Tab('v1').beat(T0 - 5 * M, T0 + 19 * M).reload(T0 + 20 * M, 'v2').beat(T0 + 21 * M, T0 + 40 * M),
    new Tab('v1').beat(T0 - 5 * M, T0 + 40 * M),
    new Tab('v1').beat(T0 - 5 * M, T0 + 40 * M),
    new Tab('v1').beat(T0 - 5 * M, T0 + 40 * M),
    new Tab('v2').beat(T0 + 10 * M, T0 + 40 * M),
    new Tab('v2').beat(T0 + 10 * M, T0 + 40 * M),
  ])
  for (let m = 0; m < 40; m++) {
    // Two servers, each sending its own counts of the same labels a little after the minute.
    await sendLoadAt(serverKey, T0 + m * M + 70_000, countsOf(m))
    await sendLoadAt(serverKey, T0 + m * M + 75_000, countsOf(m).filter((i) => i.version === 'v1' && i.kind === 'http'))
  }
})

async function context(mode: Mode): Promise<ChartContext> {
  invalidateCatalog(projectId)
  return chartContext((await projectById(projectId))!, mode === 'raw' ? 'raw' : 'auto')
}

async function rollUp(mode: Mode): Promise<void> {
  // Edges: T0 + 20 min (the window straddles it), then T0 + 46 min (past the window).
  if (mode === 'partial rollup') await rollupProject(projectId, 180, T0 + 21 * M)
  if (mode === 'full rollup') await rollupProject(projectId, 180, T0 + 47 * M)
}

const at = (chart: ChartData, x: number) => chart.points.find((p) => p.x === x)?.values
const window = { from: T0, to: T0 + 40 * M }
const CHARTS: ChartName[] = ['backend-requests', 'backend-errors', 'backend-per-tab', 'backend-reconnects']

describe('backend load by client version, raw and rolled up', () => {
  const exports = new Map<Mode, ChartData[]>()

  for (const mode of MODES) {
    it(`gives requests and errors per second, requests per live tab and reconnects by version (${mode})`, async () => {
      await rollUp(mode)
      const ctx = await context(mode)
      const [requests, errors, perTab, reconnects] = await Promise.all(CHARTS.map((name) => loadChart(ctx, name, window)))
      exports.set(mode, [requests!, errors!, perTab!, reconnects!])

      // 24 requests a minute from v1, 2 from v2 once it is out, 3 under no version: per second.
      expect(requests!.unit).toBe('requests per second')
      expect(requests!.series).toEqual(['v1', 'v2', 'unknown'])
      expect(at(requests!, T0 + 5 * M)).toEqual({ v1: 24 / 60, v2: 0, unknown: 3 / 60 })
      expect(at(requests!, T0 + 25 * M)).toEqual({ v1: 24 / 60, v2: 2 / 60, unknown: 3 / 60 })
      // Reconnects are requests too (each is an upgrade that reached a server).
      expect(at(requests!, T0 + 30 * M)).toEqual({ v1: 124 / 60, v2: 2 / 60, unknown: 3 / 60 })
      expect(at(errors!, T0 + 25 * M)).toEqual({ v1: 4 / 60 })

      // v1's 24 requests over 4 live tabs at the end of the minute; 3 once one of them moved to v2.
      expect(perTab!.unit).toBe('requests per tab per minute')
      expect(perTab!.series).toEqual(['v1', 'v2'])
      expect(at(perTab!, T0 + 5 * M)).toEqual({ v1: 6, v2: null })
      // The minute ending at T0 + 20 min: the reloaded tab is on v2 by then.
      expect(at(perTab!, T0 + 19 * M)).toEqual({ v1: 8, v2: 2 / 3 })
      expect(at(perTab!, T0 + 10 * M)).toEqual({ v1: 6, v2: 1 })
      // The last minute ends after the window: no end to count tabs at.
      expect(at(perTab!, T0 + 40 * M)).toEqual({ v1: null, v2: null })

      expect(reconnects!.unit).toBe('reconnects per minute')
      expect(reconnects!.series).toEqual(['v1'])
      expect(at(reconnects!, T0 + 30 * M)).toEqual({ v1: 100 })
      expect(at(reconnects!, T0 + 29 * M)).toEqual({ v1: 0 })
    })
  }

  it('exports the very same data whichever part of the window the rollup covers', () => {
    expect(exports.get('partial rollup')).toEqual(exports.get('raw'))
    expect(exports.get('full rollup')).toEqual(exports.get('raw'))
  })

  it('sums 5-minute points of a long window, and takes requests per tab as requests per tab-minute', async () => {
    const long = { from: T0 + 40 * M - 25 * HOUR, to: T0 + 40 * M }
    for (const mode of ['raw', 'full rollup'] as const) {
      await rollUp(mode)
      const ctx = await context(mode)
      const requests = await loadChart(ctx, 'backend-requests', long)
      expect(requests.stepMinutes).toBe(5)
      expect(at(requests, T0 + 5 * M)).toEqual({ v1: (5 * 24) / 300, v2: 0, unknown: (5 * 3) / 300 })
      const perTab = await loadChart(ctx, 'backend-per-tab', long)
      // Minutes 15–18 had 4 live v1 tabs at their end, minute 19 had 3: 120 requests over 19 tab-minutes.
      expect(at(perTab, T0 + 15 * M)?.v1).toBeCloseTo(120 / 19, 12)
      // v2's tabs were live at the end of minute 9 (from T0 + 10 min) and had sent nothing: 0, not undefined.
      expect(at(perTab, T0 + 5 * M)).toEqual({ v1: 6, v2: 0 })
      expect(at(perTab, T0)).toEqual({ v1: 6, v2: null })
      const reconnects = await loadChart(ctx, 'backend-reconnects', long)
      expect(at(reconnects, T0 + 30 * M)).toEqual({ v1: 100 / 5 })
    }
  })

  it("draws a release against the versions before it on the release's page", async () => {
    for (const mode of ['raw', 'partial rollup'] as const) {
      await rollUp(mode)
      const ctx = await context(mode)
      const release = findRelease(ctx, 'v2')!
      const requests = await loadChart(ctx, 'backend-requests', { ...window, release })
      expect(requests.series).toEqual(['v2', 'older than v2', 'unknown'])
      expect(at(requests, T0 + 25 * M)).toEqual({ v2: 2 / 60, 'older than v2': 24 / 60, unknown: 3 / 60 })
      const perTab = await loadChart(ctx, 'backend-per-tab', { ...window, release })
      expect(perTab.series).toEqual(['v2', 'older than v2'])
      expect(at(perTab, T0 + 25 * M)).toEqual({ v2: 2 / 3, 'older than v2': 8 })
    }
  })

  it('has no requests per tab in minutes the servers counted nothing, and none at all without the middleware', async () => {
    for (const mode of ['raw', 'full rollup'] as const) {
      await rollUp(mode)
      const ctx = await context(mode)
      // Four v1 tabs were live from T0 - 5 min, before the servers counted anything (from T0): no figure, not 0.
      const perTab = await loadChart(ctx, 'backend-per-tab', { from: T0 - 10 * M, to: T0 + 40 * M })
      expect(at(perTab, T0 - 5 * M)).toEqual({ v1: null, v2: null })
      expect(at(perTab, T0 + 5 * M)).toEqual({ v1: 6, v2: null })
    }
    // Live tabs and releases, but no server ever sent counts: the release's page draws no line at 0.
    const silent = await testProject('backend-load-silent')
    await registerRelease({ project: silent.id, version: 'v1', releasedAt: T0 - HOUR })
    await registerRelease({ project: silent.id, version: 'v2', releasedAt: T0 + 10 * M })
    await sendAll(silent.ingestKey, [new Tab('v1').beat(T0, T0 + 40 * M), new Tab('v2').beat(T0 + 10 * M, T0 + 40 * M)])
    const ctx = await chartContext((await projectById(silent.id))!, 'raw')
    const perTab = await loadChart(ctx, 'backend-per-tab', { ...window, release: findRelease(ctx, 'v2')! })
    expect(perTab.series).toEqual([])
  })

  it('takes counts that arrive late into the rollup when it runs again', async () => {
    const late = await testProject('backend-load-late')
    await registerRelease({ project: late.id, version: 'v1', releasedAt: T0 - HOUR })
    await sendAll(late.ingestKey, [new Tab('v1').beat(T0, T0 + 40 * M)])
    for (let m = 0; m < 40; m++) await sendLoadAt(late.serverKey, T0 + m * M + 70_000, [{ minute: T0 + m * M, kind: 'http', version: 'v1', route: '/', status: '2xx', count: 6 }])
    await rollupProject(late.id, 180, T0 + 47 * M)
    // A server whose clock runs 20 minutes behind: its counts for T0 + 15 min arrive at T0 + 36 min, past the rollup's trailing minutes.
    await sendLoadAt(late.serverKey, T0 + 36 * M, [{ minute: T0 + 15 * M, kind: 'http', version: 'v1', route: '/', status: '2xx', count: 54 }])
    const chart = async (source: 'raw' | 'auto') => loadChart(await chartContext((await projectById(late.id))!, source), 'backend-requests', window)
    // Until the next run, the rolled-up minute still says what it said.
    expect(at(await chart('auto'), T0 + 15 * M)).toEqual({ v1: 6 / 60 })
    await rollupProject(late.id, 180, T0 + 47 * M)
    expect(at(await chart('raw'), T0 + 15 * M)).toEqual({ v1: 60 / 60 })
    expect(await chart('auto')).toEqual(await chart('raw'))
  })

  it('states the settled minute for /api/metrics and the alerts', async () => {
    await rollUp('full rollup')
    // At T0 + 26 min 10 s the latest minute whose counts have all arrived is T0 + 24 min.
    const now = await backendLoadNow({ projectId, at: T0 + 26 * M + 10_000, windowSeconds: 180 })
    expect(now.minute).toBe(T0 + 24 * M)
    const byVersion = new Map(now.versions.map((v) => [v.version, v]))
    expect(byVersion.get('v1')).toMatchObject({ requestsPerSecond: 24 / 60, serverErrorsPerSecond: 4 / 60, liveTabs: 3, requestsPerTab: 8, stale: true })
    expect(byVersion.get('v2')).toMatchObject({ requestsPerSecond: 2 / 60, liveTabs: 3, requestsPerTab: 2 / 3, stale: false })
    expect(byVersion.get('unknown')).toMatchObject({ requestsPerSecond: 3 / 60, requestsPerTab: null, stale: false })
    expect(now.staleRequestsPerSecond).toBe(24 / 60)
  })
})
