import { Suspense } from 'react'
import { seriesColors } from '@/lib/charts/series-colors'
import { versionOrder, type ChartContext } from '@/lib/figures/chart-context'
import { loadChart, type ChartName, type ChartRequest } from '@/lib/figures/charts'
import { TimeChart, type ChartKind } from './time-chart'

interface Props {
  ctx: ChartContext
  name: ChartName
  request: ChartRequest
  kind: ChartKind
  title?: string
  note?: string
  emptyText?: string
}

/** A panel with one chart, streamed: the page shows a loading state until its query answers. */
export function ChartPanel(props: Props) {
  return (
    <section className="panel" aria-label={props.title}>
      {props.title ? <h2>{props.title}</h2> : null}
      <Suspense fallback={<div className="chart loading" aria-busy="true">Loading…</div>}>
        <ChartBody {...props} />
      </Suspense>
      {props.note ? <p className="muted">{props.note}</p> : null}
    </section>
  )
}

async function ChartBody({ ctx, name, request, kind, emptyText }: Props) {
  const data = await loadChart(ctx, name, request)
  const query = new URLSearchParams({ project: ctx.projectId, from: String(request.from), to: String(request.to) })
  if (request.release) {
    query.set('release', request.release.version)
    query.set('releasedAt', String(request.release.releasedAt))
  }
  return <TimeChart data={data} kind={kind} colors={seriesColors(data, versionOrder(ctx))} exportUrl={`/api/stats/chart/${name}?${query}`} emptyText={emptyText} />
}
