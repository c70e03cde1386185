import type { SeriesFacts } from '../../charts/chart-data'
import { pivot } from '../../charts/chart-data'
import { CHARTED_EVENT_KINDS, eventKindDef, type EventChartName, type StoredEventKind } from '../../semantics/event-kinds'
import { sharedRead, versionOrder, type ChartContext } from '../chart-context'
import type { ChartDef, ChartGrid, ChartRequest } from '../chart-def'
import { versionSeries } from '../version-series'
import { eventMinutesByVersionAndReason, type EventMinuteBothRow } from './read-minutes'

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
      const rows = await pageEventBuckets(ctx, req, grid, kind, by)
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

// Every kind a page draws an event chart of, read together once per page and window (sharedRead).
const PAGE_EVENT_KINDS: readonly StoredEventKind[] = [...new Set<StoredEventKind>([...CHARTED_EVENT_KINDS, 'skew_error'])]

/**
 * One kind's distinct events per bucket of the chart's grid, by version or
 * by reason, from the page's one read of every kind it charts (shared with
 * every viewer in the tick): what each event chart, the skew errors' included,
 * draws from.
 */
export async function pageEventBuckets(ctx: ChartContext, req: Pick<ChartRequest, 'from' | 'to'>, grid: Pick<ChartGrid, 'step'>, kind: StoredEventKind, by: 'version' | 'reason'): Promise<{ minute: number; series: string; events: number }[]> {
  const params = { projectId: ctx.projectId, from: req.from, to: req.to, kinds: PAGE_EVENT_KINDS, stepMinutes: grid.step, source: ctx.source }
  return seriesOf(await sharedRead(ctx, 'eventMinutesByVersionAndReason', params, () => eventMinutesByVersionAndReason(params)), kind, by)
}

/**
 * One kind's buckets by version or by reason, the other dimension summed
 * away: an event lives in one bucket under one version and reason, so the
 * sums are its distinct events (./read-minutes.ts).
 */
function seriesOf(rows: readonly EventMinuteBothRow[], kind: StoredEventKind, by: 'version' | 'reason'): { minute: number; series: string; events: number }[] {
  const sums = new Map<number, Map<string, number>>()
  for (const row of rows) {
    if (row.kind !== kind) continue
    const series = by === 'version' ? row.version : row.reason
    let ofMinute = sums.get(row.minute)
    if (!ofMinute) sums.set(row.minute, (ofMinute = new Map()))
    ofMinute.set(series, (ofMinute.get(series) ?? 0) + row.events)
  }
  return [...sums].flatMap(([minute, ofMinute]) => [...ofMinute].map(([series, events]) => ({ minute, series, events })))
}

/** By chart name (e.g. reloads). */
export const EVENT_CHARTS = Object.fromEntries(
  CHARTED_EVENT_KINDS.map((kind) => {
    const chart = eventKindDef(kind).chart!
    return [chart.name, eventChart(kind, chart.by)]
  }),
) as Record<EventChartName, ChartDef>
