'use client'

import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { ChartData } from '@/lib/charts/chart-data'
import { formatDateTime, formatShare, formatTick } from '@/lib/charts/format'
import { labelledMarkers } from '@/lib/charts/marker-labels'

export type ChartKind = 'stacked-area' | 'line' | 'stacked-bar'

interface Props {
  data: ChartData
  kind: ChartKind
  colors: Record<string, string>
  /** The chart's API URL without format: export links add format=csv / format=json. */
  exportUrl: string
  emptyText?: string
}

const tooltipStyle = { background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }

/** Draws any ChartData: x is time (viewer's zone) or minutes since release; markers for releases and minimum-version changes. */
export function TimeChart({ data, kind, colors, exportUrl, emptyText }: Props) {
  const hasData = data.points.some((p) => Object.values(p.values).some((v) => v !== null && v !== 0))
  const exports = (
    <p className="exports">
      Export: <a href={`${exportUrl}&format=csv`} download>CSV</a> · <a href={`${exportUrl}&format=json`}>JSON</a>
    </p>
  )
  if (!hasData || data.series.length === 0) {
    return (
      <>
        <p className="empty" data-testid={`empty-${data.chart}`}>{emptyText ?? 'Nothing in this window.'}</p>
        {exports}
      </>
    )
  }
  const share = data.unit === 'share'
  const span = data.xKind === 'time' ? data.to - data.from : 0
  const rows = data.points
  const xFormat = (x: number) => (data.xKind === 'time' ? formatTick(x, span) : `+${formatMinutes(x)}`)
  const labelFormat = (x: unknown) => (data.xKind === 'time' ? formatDateTime(Number(x)) : `${formatMinutes(Number(x))} after release`)
  const valueFormat = (v: unknown) => (share ? formatShare(typeof v === 'number' ? v : null) : String(v))
  const withLabel = labelledMarkers(data.markers, data.from, data.to)
  const common = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
      <XAxis dataKey="x" type="number" scale={data.xKind === 'time' ? 'time' : 'linear'} domain={['dataMin', 'dataMax']} tickFormatter={xFormat} stroke="var(--muted)" minTickGap={40} />
      <YAxis stroke="var(--muted)" allowDecimals={!share ? false : true} domain={share ? [0, 1] : [0, 'auto']} tickFormatter={share ? (v: number) => `${Math.round(v * 100)} %` : undefined} width={share ? 60 : 44} />
      <Tooltip labelFormatter={labelFormat} formatter={valueFormat} contentStyle={tooltipStyle} labelStyle={{ color: 'var(--text)' }} />
      <Legend />
      {data.markers.map((m) => (
        <ReferenceLine
          key={`${m.kind}-${m.at}-${m.label}`}
          x={m.at}
          stroke={m.kind === 'release' ? 'var(--accent)' : 'var(--danger)'}
          strokeDasharray="4 3"
          label={withLabel.has(m) ? { value: m.label, position: 'insideTopLeft', fill: 'var(--muted)', fontSize: 11 } : undefined}
        />
      ))}
    </>
  )
  const margin = { top: 16, right: 16, bottom: 0, left: 0 }
  return (
    <>
      <div className="chart" role="img" aria-label={`${data.title}: ${data.series.join(', ')}`} data-testid={`chart-${data.chart}`}>
        <ResponsiveContainer width="100%" height="100%">
          {kind === 'line' ? (
            <LineChart data={rows} margin={margin}>
              {common}
              {data.series.map((s) => (
                <Line key={s} dataKey={valueOf(s)} name={s} stroke={colors[s]} dot={false} strokeWidth={2} connectNulls={false} isAnimationActive={false} type="linear" />
              ))}
            </LineChart>
          ) : kind === 'stacked-bar' ? (
            <BarChart data={rows} margin={margin}>
              {common}
              {data.series.map((s) => (
                <Bar key={s} dataKey={valueOf(s)} name={s} stackId="a" fill={colors[s]} isAnimationActive={false} />
              ))}
            </BarChart>
          ) : (
            <AreaChart data={rows} margin={margin}>
              {common}
              {data.series.map((s) => (
                <Area key={s} dataKey={valueOf(s)} name={s} stackId="a" type="monotone" stroke={colors[s]} fill={colors[s]} fillOpacity={s.endsWith(' · hidden') ? 0.25 : 0.55} isAnimationActive={false} />
              ))}
            </AreaChart>
          )}
        </ResponsiveContainer>
      </div>
      {exports}
    </>
  )
}

// Series names are version strings such as 1.2.3: a string dataKey would be read as a path.
const valueOf = (series: string) => (point: ChartData['points'][number]) => point.values[series] ?? null

function formatMinutes(minutes: number): string {
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60 ? `${minutes % 60} min` : ''}`.trim()
}
