import { formatShare } from '../../charts/format'
import type { ChartDef } from '../chart-def'
import { eventChart, pageEventBuckets } from '../event-rates/chart'
import { olderShare, olderShareSeries } from './share'

// Skew errors per time bucket by cause and by version (docs/skew-errors.md),
// on the explorer and the release page: the event-rates charts of the
// skew_error kind, titled for people, the cause chart noting the share that
// came from builds older than the latest release. All from the page's one
// read of its event kinds (pageEventBuckets).

const byCause = eventChart('skew_error', 'reason')
const byVersion = eventChart('skew_error', 'version')

export const skewErrorsByCauseChart: ChartDef = {
  ...byCause,
  title: 'Skew errors by cause',
  emptyText: 'No skew errors in this window: no tab failed to load code.',
  prepare: async (ctx, req, grid) => {
    const [prepared, rows] = await Promise.all([
      byCause.prepare(ctx, req, grid),
      pageEventBuckets(ctx, req, grid, 'skew_error', 'version'),
    ])
    // Each cause in its own colour (the event chart colours reload reasons).
    const facts = prepared.facts.map((f) => ({ ...f, tone: { family: 'cause' as const, cause: f.key } }))
    const share = olderShare(ctx.catalog, rows, grid.stepMs)
    if (share.share === null) return { ...prepared, facts }
    const note = `${share.older} of ${share.total} (${formatShare(share.share)}) from builds older than the latest release.`
    return { ...prepared, facts, notes: [...(prepared.notes ?? []), note] }
  },
}

export const skewErrorsByVersionChart: ChartDef = {
  ...byVersion,
  title: 'Skew errors by version',
  emptyText: 'No skew errors in this window.',
}

const OLDER = 'from older builds'

/** Per bucket, the share of skew errors from builds older than the latest release at the bucket's end. */
export const skewErrorsOlderShareChart: ChartDef = {
  title: 'Skew errors from builds older than the latest',
  kind: 'line',
  emptyText: 'No skew errors in this window.',
  explorer: true,
  prepare: async (ctx, req, grid) => {
    const rows = await pageEventBuckets(ctx, req, grid, 'skew_error', 'version')
    const points = olderShareSeries(ctx.catalog, rows, req.from, req.to, grid.stepMs)
    // No skew error in the window: no series, so the chart says so (its empty
    // text) instead of drawing a line of nothing, which has no scale for
    // Stalewatch's own gap bands either.
    const any = rows.length > 0
    return {
      xKind: 'time',
      unit: 'share',
      facts: any ? [{ key: OLDER, label: OLDER, version: null, visibility: null, tone: { family: 'share' } }] : [],
      points: points.map((p) => ({ x: p.x, values: any ? { [OLDER]: p.share } : ({} as Record<string, number | null>) })),
    }
  },
}
