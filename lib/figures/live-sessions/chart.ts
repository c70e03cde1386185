import { sharedRead, type ChartContext } from '../chart-context'
import type { ChartDef, ChartGrid, ChartRequest } from '../chart-def'
import { versionSeries } from '../version-series'
import { liveMinutes } from './read-minutes'

// Live sessions per version (and visibility) at each minute boundary of the window.

/** Live sessions at the window's boundaries on the chart's grid, as every chart over them reads them. */
export function liveOnGrid(ctx: ChartContext, req: Pick<ChartRequest, 'from' | 'to'>, grid: Pick<ChartGrid, 'step'>, byVisibility = false) {
  const params = { projectId: ctx.projectId, from: req.from, to: req.to, windowSeconds: ctx.windowSeconds, byVisibility, stepMinutes: grid.step, source: ctx.source }
  return sharedRead(ctx, 'liveMinutes', params, () => liveMinutes(params))
}

export const versionsChart: ChartDef = {
  title: 'Live sessions per version',
  kind: 'stacked-area',
  emptyText: 'No live sessions in this window.',
  explorer: true,
  prepare: async (ctx, req, grid) => {
    const rows = await liveOnGrid(ctx, req, grid)
    const { facts, points } = versionSeries(ctx, rows.map((r) => ({ x: r.minute, version: r.version, value: r.sessions })), req, grid)
    return { xKind: 'time', unit: 'sessions', facts, points }
  },
}

export const visibilityChart: ChartDef = {
  title: 'Visible and hidden sessions per version',
  kind: 'stacked-area',
  emptyText: 'No live sessions in this window.',
  prepare: async (ctx, req, grid) => {
    const rows = await liveOnGrid(ctx, req, grid, true)
    const { facts, points } = versionSeries(ctx, rows.map((r) => ({ x: r.minute, version: r.version, value: r.sessions, visibility: r.visibility })), req, grid, true)
    return { xKind: 'time', unit: 'sessions', facts, points }
  },
}
