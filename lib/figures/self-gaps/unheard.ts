import type { ChartData } from '../../charts/chart-data'
import type { SelfGap } from './read'

// A point of a time chart says what Stalewatch heard around it: a live count
// at x, the tabs heard in (x - W, x] (W, the liveness window); a count per
// bucket, the events of [x, x + step). Where a stretch in which Stalewatch
// heard no tab (down, disk low) falls in that span, the point is left empty
// rather than drawn low: tabs Stalewatch did not hear are not tabs that left
// (docs/semantics.md, Stalewatch's own gaps). Pure.

/** Whether the point at x spoke of a moment in which Stalewatch heard no tab. */
export function isUnheard(x: number, gaps: readonly Pick<SelfGap, 'from' | 'to' | 'unheard'>[], lookbackMs: number, stepMs: number): boolean {
  return gaps.some((g) => g.unheard && g.from < x + stepMs && g.to > x - lookbackMs)
}

export function unheardPointsEmpty(points: ChartData['points'], gaps: readonly SelfGap[], lookbackMs: number, stepMs: number): ChartData['points'] {
  if (!gaps.some((g) => g.unheard)) return points
  return points.map((p) => (isUnheard(p.x, gaps, lookbackMs, stepMs) ? { x: p.x, values: Object.fromEntries(Object.keys(p.values).map((k) => [k, null])) } : p))
}
