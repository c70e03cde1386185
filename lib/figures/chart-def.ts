import type { ChartData, SeriesFacts } from '../charts/chart-data'
import type { ChartKind } from '../charts/draw'
import type { LatestRelease } from '../semantics/version-order'
import type { ChartContext } from './chart-context'

// What a figure's chart is (lib/figures/registry.ts lists them all): its
// title, how it is drawn, and how its data is prepared.

export interface ChartRequest {
  from: number
  to: number
  release?: LatestRelease
}

/** Minutes per point for the request's window, and the same in ms. */
export interface ChartGrid {
  step: number
  stepMs: number
}

/** What a chart's preparation returns; the loader adds the rest of ChartData (name, title, window, grid, markers). */
export interface PreparedChart {
  xKind: ChartData['xKind']
  unit: ChartData['unit']
  facts: SeriesFacts[]
  points: ChartData['points']
  /** For charts on their own grid (the aligned curves). */
  stepMinutes?: number
  /** Charts along minutes since release carry no time markers. */
  noMarkers?: boolean
  notes?: string[]
}

export interface ChartDef {
  title: string
  kind: ChartKind
  /** Shown instead of the chart when its window holds nothing to draw. */
  emptyText: string
  /** The chart needs a release (adoption, aligned). */
  needsRelease?: boolean
  /** Drawn on the explorer page, in registry order. */
  explorer?: boolean
  prepare: (ctx: ChartContext, req: ChartRequest, grid: ChartGrid) => Promise<PreparedChart>
}
