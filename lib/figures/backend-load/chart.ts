import type { ChartData } from '../../charts/chart-data'
import type { LoadKind } from '../../../sdk/src/server/wire'
import { NOT_A_VERSION, perSecond, requestsPerTab, type TabMinute } from '../../semantics/backend-load'
import type { ChartDef, ChartGrid, ChartRequest, PreparedChart } from '../chart-def'
import { sharedRead, type ChartContext } from '../chart-context'
import { ALL_KINDS, backendLoadMinutes } from './read-minutes'
import { backendTabMinutes } from './read-tab-minutes'
import { loadSeries } from './series'

// Backend load by client version (docs/backend-load.md): requests per
// second, 5xx answers per second, requests per live tab and socket
// reconnects, each by version (or, on a release's page, the release against
// the versions before and after it: ./series.ts).

const NO_LOAD = 'No requests counted in this window. Mount the server middleware to see them (docs/backend-load.md).'

interface Count {
  x: number
  version: string
  value: number
}

/** Counts per bucket into series, each point's count turned into a rate by `rate`. */
function countSeries(ctx: ChartContext, req: ChartRequest, grid: ChartGrid, counts: readonly Count[], rate: (count: number) => number): Pick<PreparedChart, 'facts' | 'points'> {
  const totals = new Map<string, number>()
  for (const c of counts) totals.set(c.version, (totals.get(c.version) ?? 0) + c.value)
  const series = loadSeries(ctx, req, totals)
  const points = new Map<number, Record<string, number | null>>()
  const keys = new Set<string>()
  for (const c of counts) {
    const key = series.keyOf(c.version, c.x)
    keys.add(key)
    const values = points.get(c.x) ?? {}
    values[key] = ((values[key] as number | undefined) ?? 0) + c.value
    points.set(c.x, values)
  }
  const facts = series.facts(keys)
  return { facts, points: onGrid(req, grid, facts.map((f) => f.key), (x, key) => rate((points.get(x)?.[key] as number | undefined) ?? 0)) }
}

/** Every point of the window's grid, with a value for each key. */
function onGrid(req: ChartRequest, grid: ChartGrid, keys: readonly string[], value: (x: number, key: string) => number | null): ChartData['points'] {
  const points: ChartData['points'] = []
  for (let x = Math.ceil(req.from / grid.stepMs) * grid.stepMs; x <= req.to; x += grid.stepMs) {
    points.push({ x, values: Object.fromEntries(keys.map((k) => [k, value(x, k)])) })
  }
  return points
}

function countChart(def: { title: string; kind: ChartDef['kind']; emptyText: string; kinds: readonly LoadKind[]; errorsOnly?: boolean; unit: 'requests per second' | 'reconnects per minute' }): ChartDef {
  return {
    title: def.title,
    kind: def.kind,
    emptyText: def.emptyText,
    explorer: true,
    prepare: async (ctx, req, grid) => {
      // Every kind, read once for the page's backend charts, each keeping its own kinds.
      const params = { projectId: ctx.projectId, from: req.from, to: req.to, kinds: ALL_KINDS, stepMinutes: grid.step, source: ctx.source }
      const rows = (await sharedRead(ctx, 'backendLoadMinutes', params, () => backendLoadMinutes(params))).filter((r) => def.kinds.includes(r.kind))
      const counts = rows.map((r) => ({ x: r.minute, version: r.version, value: def.errorsOnly ? r.serverErrors : r.requests })).filter((c) => c.value > 0)
      const rate = def.unit === 'requests per second' ? (n: number) => perSecond(n, grid.step) : (n: number) => n / grid.step
      return { xKind: 'time', unit: def.unit, ...countSeries(ctx, req, grid, counts, rate) }
    },
  }
}

export const requestsChart = countChart({
  title: 'Requests per second by client version',
  kind: 'stacked-area',
  emptyText: NO_LOAD,
  kinds: ALL_KINDS,
  unit: 'requests per second',
})

export const serverErrorsChart = countChart({
  title: 'Server errors (5xx) per second by client version',
  kind: 'stacked-area',
  emptyText: 'No 5xx answers counted in this window.',
  kinds: ALL_KINDS,
  errorsOnly: true,
  unit: 'requests per second',
})

export const reconnectsChart = countChart({
  title: 'Socket reconnects per minute by client version',
  kind: 'stacked-bar',
  emptyText: 'No socket reconnects counted in this window.',
  kinds: ['ws_reconnect'],
  unit: 'reconnects per minute',
})

/** Requests per live tab of each series at each point: ratio of sums over the point's (version, minute) cells (lib/semantics/backend-load.ts). */
export const perTabChart: ChartDef = {
  title: 'Requests per live tab per minute, by client version',
  kind: 'line',
  emptyText: 'No requests from versions with live tabs in this window.',
  explorer: true,
  prepare: async (ctx, req, grid) => {
    const cells = await backendTabMinutes({ projectId: ctx.projectId, from: req.from, to: req.to, windowSeconds: ctx.windowSeconds, source: ctx.source })
    const totals = new Map<string, number>()
    for (const c of cells) totals.set(c.version, (totals.get(c.version) ?? 0) + c.requests)
    const series = loadSeries(ctx, req, totals)
    const byPoint = new Map<string, TabMinute[]>()
    const keys = new Set<string>()
    for (const c of cells) {
      const key = series.keyOf(c.version, c.minute)
      // A version that sent nothing in the window draws no line of its own; its tabs still count in a group ("other", the versions before a release).
      if (NOT_A_VERSION.has(key) || (key === c.version && !req.release && (totals.get(c.version) ?? 0) === 0)) continue
      keys.add(key)
      const at = `${Math.floor(c.minute / grid.stepMs) * grid.stepMs}\u0000${key}`
      const list = byPoint.get(at)
      if (list) list.push(c)
      else byPoint.set(at, [c])
    }
    const facts = series.facts(keys)
    const points = onGrid(req, grid, facts.map((f) => f.key), (x, key) => requestsPerTab(byPoint.get(`${x}\u0000${key}`) ?? []))
    return { xKind: 'time', unit: 'requests per tab per minute', facts, points }
  },
}
