import { sharedRead, type ChartContext } from '../chart-context'
import type { ChartDef, ChartGrid, ChartRequest } from '../chart-def'
import { versionSeries } from '../version-series'
import { liveMinutes, type LiveMinuteRow } from './read-minutes'

// Live sessions per version (and visibility) at each minute boundary of the window.

/**
 * Live sessions at the window's boundaries on the chart's grid, as every
 * chart over them reads them. Always read by visibility, once per page: a
 * session has one visibility at a boundary ('' for none), so the counts by
 * version are the sums over visibility, and the page's versions and
 * visibility charts share one read.
 */
export async function liveOnGrid(ctx: ChartContext, req: Pick<ChartRequest, 'from' | 'to'>, grid: Pick<ChartGrid, 'step'>, byVisibility = false): Promise<LiveMinuteRow[]> {
  const params = { projectId: ctx.projectId, from: req.from, to: req.to, windowSeconds: ctx.windowSeconds, byVisibility: true, stepMinutes: grid.step, source: ctx.source }
  const rows = await sharedRead(ctx, 'liveMinutes', params, () => liveMinutes(params))
  return byVisibility ? rows : byVersion(rows)
}

/** Rows by minute and version, visibility summed away ('' as liveMinutes gives it unsplit), in the same order. */
function byVersion(rows: readonly LiveMinuteRow[]): LiveMinuteRow[] {
  const out: LiveMinuteRow[] = []
  for (const row of rows) {
    const last = out.at(-1)
    if (last && last.minute === row.minute && last.version === row.version) last.sessions += row.sessions
    else out.push({ minute: row.minute, version: row.version, visibility: '', sessions: row.sessions })
  }
  return out
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
