import { adoptionSeries, staleShareSeries } from '../semantics/rollout'
import { pivot, stepFor, type ChartData, type LongRow } from '../charts/chart-data'
import type { LatestRelease } from '../semantics/version-order'
import { markersIn, versionOrder, type ChartContext } from './chart-context'
import { eventMinutes, type EventKind } from './event-rates/read-minutes'
import { liveMinutes } from './live-sessions/read-minutes'

// Every chart of the overview, release and explorer pages, by name. Pages
// and /api/stats/chart/<name> both call loadChart, so a chart and its export
// cannot disagree.

export const CHART_NAMES = ['versions', 'visibility', 'stale-share', 'adoption', 'aligned', 'reloads', 'resumes', 'returns', 'errors'] as const
export type ChartName = (typeof CHART_NAMES)[number]
/** Charts that need a release. */
export const RELEASE_CHARTS: readonly ChartName[] = ['adoption', 'aligned']

export interface ChartRequest {
  from: number
  to: number
  release?: LatestRelease
}

const MINUTE = 60_000
/** How many earlier releases the aligned chart compares with. */
const ALIGNED_PREVIOUS = 4
const ALIGNED_MAX_MS = 24 * 3600_000

const TITLES: Record<ChartName, string> = {
  versions: 'Live sessions per version',
  visibility: 'Visible and hidden sessions per version',
  'stale-share': 'Stale share',
  adoption: 'Adoption',
  aligned: 'Adoption since release, compared with earlier releases',
  reloads: 'Reloads by reason',
  resumes: 'Resumes by version',
  returns: 'Returns from hidden by version',
  errors: 'Errors by version',
}

const EVENT_CHARTS: Partial<Record<ChartName, { kind: EventKind; by: 'reason' | 'version' }>> = {
  reloads: { kind: 'reload', by: 'reason' },
  resumes: { kind: 'resume', by: 'version' },
  returns: { kind: 'return', by: 'version' },
  errors: { kind: 'error', by: 'version' },
}

export async function loadChart(ctx: ChartContext, name: ChartName, req: ChartRequest): Promise<ChartData> {
  const step = stepFor(req.to - req.from)
  const stepMs = step * MINUTE
  const base = { chart: name, title: TITLES[name], from: req.from, to: req.to, stepMinutes: step, markers: markersIn(ctx, req.from, req.to) }
  const live = (from: number, to: number, byVisibility = false) =>
    liveMinutes({ projectId: ctx.projectId, from, to, windowSeconds: ctx.windowSeconds, byVisibility, stepMinutes: step, source: ctx.source })

  const eventChart = EVENT_CHARTS[name]
  if (eventChart) {
    const rows = await eventMinutes({ projectId: ctx.projectId, from: req.from, to: req.to, kinds: [eventChart.kind], seriesBy: eventChart.by, stepMinutes: step, source: ctx.source })
    const long: LongRow[] = rows.map((r) => ({ x: r.minute, series: r.series || '(none)', value: r.events }))
    return { ...base, xKind: 'time', unit: step === 1 ? 'events per minute' : 'events', ...pivot(long, req.from, req.to, stepMs, versionOrder(ctx)) }
  }

  switch (name) {
    case 'versions': {
      const rows = await live(req.from, req.to)
      const long = rows.map((r) => ({ x: r.minute, series: r.version, value: r.sessions }))
      return { ...base, xKind: 'time', unit: 'sessions', ...pivot(long, req.from, req.to, stepMs, versionOrder(ctx)) }
    }
    case 'visibility': {
      const rows = await live(req.from, req.to, true)
      const long = rows.map((r) => ({ x: r.minute, series: `${r.version} · ${r.visibility || 'unknown'}`, value: r.sessions }))
      const order = versionOrder(ctx).flatMap((v) => [`${v} · visible`, `${v} · hidden`, `${v} · unknown`])
      return { ...base, xKind: 'time', unit: 'sessions', ...pivot(long, req.from, req.to, stepMs, order) }
    }
    case 'stale-share': {
      const rows = await live(req.from, req.to)
      const points = staleShareSeries(rows, ctx.catalog, req.from, req.to, stepMs)
      return { ...base, xKind: 'time', unit: 'share', series: ['stale share'], points: points.map((p) => ({ x: p.minute, values: { 'stale share': p.ratio } })) }
    }
    case 'adoption': {
      const release = requireRelease(req)
      const rows = await live(req.from, req.to)
      const points = adoptionSeries(rows, ctx.catalog, release.version, req.from, req.to, stepMs)
      return { ...base, xKind: 'time', unit: 'share', series: [release.version], points: points.map((p) => ({ x: p.minute, values: { [release.version]: p.ratio } })) }
    }
    case 'aligned':
      return alignedChart(ctx, requireRelease(req), req, base)
  }
  throw new Error(`unknown chart ${String(name)}`)
}

function requireRelease(req: ChartRequest): LatestRelease {
  if (!req.release) throw new Error('this chart needs a release')
  return req.release
}

/** The release's adoption curve and those of the releases before it, each from its own release time, on one axis of minutes since release. */
async function alignedChart(ctx: ChartContext, release: LatestRelease, req: ChartRequest, base: Omit<ChartData, 'xKind' | 'unit' | 'series' | 'points'>): Promise<ChartData> {
  const horizon = Math.min(ALIGNED_MAX_MS, Math.max(60 * MINUTE, req.to - release.releasedAt))
  const step = stepFor(horizon)
  const index = ctx.timeline.findIndex((r) => r.version === release.version && r.releasedAt === release.releasedAt)
  const compared = ctx.timeline.slice(Math.max(0, index - ALIGNED_PREVIOUS), index + 1)
  const labelOf = (r: LatestRelease) => (compared.filter((c) => c.version === r.version).length > 1 ? `${r.version} @ ${new Date(r.releasedAt).toISOString()}` : r.version)
  const curves = await Promise.all(
    compared.map(async (r) => {
      const to = Math.min(req.to, r.releasedAt + horizon)
      const rows = await liveMinutes({ projectId: ctx.projectId, from: r.releasedAt, to, windowSeconds: ctx.windowSeconds, stepMinutes: step, source: ctx.source })
      return { label: labelOf(r), release: r, points: adoptionSeries(rows, ctx.catalog, r.version, r.releasedAt, to, step * MINUTE) }
    }),
  )
  const byOffset = new Map<number, Record<string, number | null>>()
  for (let offset = 0; offset <= horizon / MINUTE; offset += step) byOffset.set(offset, Object.fromEntries(curves.map((c) => [c.label, null])))
  for (const curve of curves) {
    for (const p of curve.points) {
      const offset = Math.round((p.minute - curve.release.releasedAt) / MINUTE / step) * step
      const values = byOffset.get(offset)
      if (values && p.ratio !== null) values[curve.label] = p.ratio
    }
  }
  return {
    ...base,
    stepMinutes: step,
    markers: [],
    xKind: 'offset',
    unit: 'share',
    series: curves.map((c) => c.label),
    points: [...byOffset].map(([x, values]) => ({ x, values })),
  }
}
