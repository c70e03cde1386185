import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { TimeChart } from '@/app/components/time-chart'
import type { FigureChart } from '@/lib/charts/chart-data'
import { drawChart } from '@/lib/charts/draw'

// A chart's preparation may add notes (the skew errors' share from older
// builds, lib/figures/skew-errors/chart.ts): they are part of what the chart
// says, so the page shows them under it, not only its export.

const figure = (values: (number | null)[], notes?: string[]): FigureChart => ({
  data: {
    chart: 'skew-errors', title: 'Skew errors', xKind: 'time', unit: 'events per minute', from: 0, to: 2 * 60_000, stepMinutes: 1, markers: [], series: ['gone'],
    points: values.map((v, i) => ({ x: i * 60_000, values: { gone: v } })),
    ...(notes ? { notes } : {}),
  },
  facts: [{ key: 'gone', label: 'gone', version: null, visibility: null, tone: { family: 'cause', cause: 'gone' } }],
})
const display = { kind: 'stacked-bar' as const, emptyText: 'No skew errors', exportUrl: '/api/x?chart=skew-errors' }

describe('a drawn chart with notes', () => {
  it('shows each note under the chart, with the chart drawn', () => {
    const note = '12 of 16 (75 %) from builds older than the latest release.'
    const html = renderToStaticMarkup(<TimeChart chart={drawChart(figure([1, 15, 0], [note]), display)} />)
    expect(html).toContain('data-testid="chart-skew-errors"')
    expect(html).toMatch(/data-testid="notes-skew-errors"[^>]*>.*12 of 16 \(75 %\) from builds older than the latest release\./)
  })

  it('shows no notes block for a chart without notes', () => {
    const html = renderToStaticMarkup(<TimeChart chart={drawChart(figure([1, 15, 0]), display)} />)
    expect(html).not.toContain('notes-skew-errors')
  })
})
