import { Suspense } from 'react'
import type { ChartContext } from '@/lib/figures/chart-context'
import { drawnChart, type ChartName, type ChartRequest } from '@/lib/figures/charts'
import { TimeChart } from './time-chart'

interface Props {
  ctx: ChartContext
  name: ChartName
  request: ChartRequest
  title?: string
  note?: string
  /** Instead of the chart's own "nothing in this window" text. */
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

async function ChartBody({ ctx, name, request, emptyText }: Props) {
  return <TimeChart chart={await drawnChart(ctx, name, request, emptyText)} />
}
