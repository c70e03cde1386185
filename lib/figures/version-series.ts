import { pivot, type ChartData, type SeriesFacts } from '../charts/chart-data'
import { foldVersions, otherKey, topVersions } from '../charts/top-versions'
import { registeredVersions, versionOrder, versionTones, type ChartContext } from './chart-context'
import type { ChartGrid, ChartRequest } from './chart-def'

// Series per version (and visibility) for the charts that split a count by
// version: at most CHART_VERSIONS versions of their own, the rest summed as
// "other" (lib/charts/top-versions.ts), in release order with "other" last,
// each series with the facts the page styles it by.

export interface VersionRow {
  x: number
  version: string
  value: number
  /** With byVisibility: 'visible' | 'hidden' | '' (none reported). */
  visibility?: string
}

const VISIBILITIES = ['visible', 'hidden', 'unknown'] as const

export function versionSeries(
  ctx: ChartContext,
  rows: readonly VersionRow[],
  req: ChartRequest,
  grid: ChartGrid,
  byVisibility = false,
): { facts: SeriesFacts[]; points: ChartData['points'] } {
  const totals = new Map<string, number>()
  for (const r of rows) totals.set(r.version, (totals.get(r.version) ?? 0) + r.value)
  const kept = topVersions(totals, registeredVersions(ctx))
  const other = otherKey(kept)
  const folded = foldVersions(rows, kept, other)
  const visibilityOf = (r: VersionRow) => (r.visibility === 'visible' || r.visibility === 'hidden' ? r.visibility : 'unknown')
  const keyOf = (version: string, visibility?: string) => (byVisibility ? `${version} · ${visibility}` : version)
  const order = [...versionOrder(ctx), other].flatMap((v) => (byVisibility ? VISIBILITIES.map((vis) => keyOf(v, vis)) : [v]))
  const { series, points } = pivot(
    folded.map((r) => ({ x: r.x, series: keyOf(r.version, visibilityOf(r)), value: r.value })),
    req.from,
    req.to,
    grid.stepMs,
    order,
  )
  // Facts by key, from the rows themselves: a version's name may contain " · ".
  const factsOf = new Map<string, SeriesFacts>()
  const tones = versionTones(ctx, kept)
  for (const r of folded) {
    const key = keyOf(r.version, visibilityOf(r))
    if (factsOf.has(key)) continue
    const isOther = r.version === other && !kept.has(r.version)
    factsOf.set(key, {
      key,
      label: key,
      version: isOther ? null : r.version,
      visibility: byVisibility ? visibilityOf(r) : null,
      tone: isOther ? { family: 'other' } : tones.get(r.version)!,
    })
  }
  const ordered = [...series.filter((k) => factsOf.get(k)!.version !== null), ...series.filter((k) => factsOf.get(k)!.version === null)]
  return { facts: ordered.map((k) => factsOf.get(k)!), points }
}
