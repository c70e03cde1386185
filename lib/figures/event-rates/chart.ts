import type { SeriesFacts } from '../../charts/chart-data'
import { pivot } from '../../charts/chart-data'
import { CHARTED_EVENT_KINDS, eventKindDef, type EventChartName, type StoredEventKind } from '../../semantics/event-kinds'
import { sharedRead, versionOrder } from '../chart-context'
import type { ChartDef } from '../chart-def'
import { versionSeries } from '../version-series'
import { eventMinutes } from './read-minutes'

// One explorer chart per event kind that has one in the kinds table
// (lib/semantics/event-kinds.ts): distinct events per time bucket, by
// version or by reason. The skew-error figure (lib/figures/skew-errors/) draws its kind with eventChart too.

const NONE = '(none)'

export function eventChart(kind: StoredEventKind, by: 'version' | 'reason'): ChartDef {
  const { label } = eventKindDef(kind)
  return {
    title: `${label} by ${by}`,
    kind: 'stacked-bar',
    emptyText: `No ${label.toLowerCase()} in this window.`,
    explorer: true,
    prepare: async (ctx, req, grid) => {
      const params = { projectId: ctx.projectId, from: req.from, to: req.to, kinds: [kind], seriesBy: by, stepMinutes: grid.step, source: ctx.source }
      const rows = await sharedRead(ctx, 'eventMinutes', params, () => eventMinutes(params))
      const unit = grid.step === 1 ? 'events per minute' : 'events'
      if (by === 'version') {
        const { facts, points } = versionSeries(ctx, rows.map((r) => ({ x: r.minute, version: r.series, value: r.events })), req, grid)
        return { xKind: 'time', unit, facts, points }
      }
      const { series, points } = pivot(rows.map((r) => ({ x: r.minute, series: r.series || NONE, value: r.events })), req.from, req.to, grid.stepMs, versionOrder(ctx))
      const facts = series.map((reason): SeriesFacts => ({ key: reason, label: reason, version: null, visibility: null, tone: { family: 'reason', reason } }))
      return { xKind: 'time', unit, facts, points }
    },
  }
}

/** By chart name (e.g. reloads). */
export const EVENT_CHARTS = Object.fromEntries(
  CHARTED_EVENT_KINDS.map((kind) => {
    const chart = eventKindDef(kind).chart!
    return [chart.name, eventChart(kind, chart.by)]
  }),
) as Record<EventChartName, ChartDef>
