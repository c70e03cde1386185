import { stepFor, type ChartData, type FigureChart } from '../charts/chart-data'
import { drawChart, type DrawnChart } from '../charts/draw'
import { markersIn, sharedRead, type ChartContext } from './chart-context'
import { selfGaps } from './self-gaps/read'
import { unheardPointsEmpty } from './self-gaps/unheard'
import type { ChartDef, ChartRequest } from './chart-def'
import { CHARTS, type ChartName } from './registry'

// Every chart of the overview, release and explorer pages, by name. Pages
// draw drawnChart, /api/stats/chart/<name> exports loadChart: both prepare
// the chart the same way, so a chart and its export cannot disagree.

export type { ChartName } from './registry'
export type { ChartRequest } from './chart-def'

export const CHART_NAMES = Object.keys(CHARTS) as [ChartName, ...ChartName[]]

export function chartDef(name: ChartName): ChartDef {
  return CHARTS[name]
}

/** Charts that need a release. */
export const RELEASE_CHARTS: readonly ChartName[] = CHART_NAMES.filter((name) => chartDef(name).needsRelease)

/** Charts the explorer page draws, in order. */
export const EXPLORER_CHARTS: readonly ChartName[] = CHART_NAMES.filter((name) => chartDef(name).explorer)

const MINUTE = 60_000

/**
 * Points after `now` say nothing: a window may reach into the future (the
 * explorer's, an export's), but no minute after now was measured, and a
 * live count there would only repeat the tabs still inside their liveness
 * window (docs/dashboard.md, No figure beyond what was measured).
 */
function unmeasuredAfter(points: ChartData['points'], now: number): ChartData['points'] {
  return points.map((p) => (p.x <= now ? p : { x: p.x, values: Object.fromEntries(Object.keys(p.values).map((k) => [k, null])) }))
}

/** The chart and what each of its series is. */
async function figureChart(ctx: ChartContext, name: ChartName, req: ChartRequest, now: number): Promise<FigureChart> {
  const def = chartDef(name)
  const step = stepFor(req.to - req.from)
  const window = { from: req.from, to: req.to }
  const [prepared, gaps] = await Promise.all([def.prepare(ctx, req, { step, stepMs: step * MINUTE }), sharedRead(ctx, 'selfGaps', window, () => selfGaps(window))])
  const time = prepared.xKind === 'time'
  const stepMs = (prepared.stepMinutes ?? step) * MINUTE
  const data: ChartData = {
    chart: name,
    title: def.title,
    from: req.from,
    to: req.to,
    stepMinutes: prepared.stepMinutes ?? step,
    markers: prepared.noMarkers ? [] : markersIn(ctx, req.from, req.to),
    xKind: prepared.xKind,
    unit: prepared.unit,
    series: prepared.facts.map((f) => f.key),
    points: time ? unheardPointsEmpty(unmeasuredAfter(prepared.points, now), gaps, ctx.windowSeconds * 1000, stepMs) : prepared.points,
    ...(time && gaps.length > 0 ? { gaps } : {}),
    ...(prepared.notes ? { notes: prepared.notes } : {}),
  }
  return { data, facts: prepared.facts }
}

/** The chart's data, as /api/stats/chart/<name> exports it. */
export async function loadChart(ctx: ChartContext, name: ChartName, req: ChartRequest, now = Date.now()): Promise<ChartData> {
  return (await figureChart(ctx, name, req, now)).data
}

/** The API address of a chart's export, without format. */
function chartExportUrl(ctx: ChartContext, name: ChartName, req: ChartRequest): string {
  const query = new URLSearchParams({ project: ctx.projectId, from: String(req.from), to: String(req.to) })
  if (req.release) {
    query.set('release', req.release.version)
    query.set('releasedAt', String(req.release.releasedAt))
  }
  return `/api/stats/chart/${name}?${query}`
}

/** The chart as the page draws it: colours, formats, marker labels and "nothing to draw" decided. */
export async function drawnChart(ctx: ChartContext, name: ChartName, req: ChartRequest, emptyText?: string, now = Date.now()): Promise<DrawnChart> {
  const def = chartDef(name)
  return drawChart(await figureChart(ctx, name, req, now), { kind: def.kind, emptyText: emptyText ?? def.emptyText, exportUrl: chartExportUrl(ctx, name, req) })
}
