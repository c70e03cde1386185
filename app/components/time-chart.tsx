'use client'

import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { gapBands, GapLegend } from './gap-bands'
import type { DrawnChart } from '@/lib/charts/draw'
import { chartFormatters } from '@/lib/charts/format'
import type { DrawnMarker } from '@/lib/charts/marker-labels'
import { MARKER_LAYOUT } from '@/lib/charts/marker-labels'

// Draws a chart exactly as lib/charts/draw.ts prepared it: series, colours,
// opacities, formats, marker labels and the empty state all come with it.

const tooltipStyle = { background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }

/** A marker's label at its prepared lane and side of the line. */
function markerLabel(marker: DrawnMarker, marginTop: number) {
  const MarkerLabel = ({ viewBox }: { viewBox?: { x?: number; y?: number } }) => {
    const x = (viewBox?.x ?? 0) + (marker.anchor === 'start' ? MARKER_LAYOUT.gapPx : -MARKER_LAYOUT.gapPx)
    const y = (viewBox?.y ?? marginTop) - marginTop + 11 + marker.lane * MARKER_LAYOUT.laneHeightPx
    return (
      <g className="marker-label">
        <title>{marker.title}</title>
        <text className="recharts-label" x={x} y={y} textAnchor={marker.anchor} fill="var(--text)" fontSize={11}>
          {marker.label}
        </text>
      </g>
    )
  }
  return MarkerLabel
}

export function TimeChart({ chart }: { chart: DrawnChart }) {
  const notes =
    chart.notes.length > 0 ? (
      <ul className="chart-notes muted" data-testid={`notes-${chart.chart}`}>
        {chart.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
    ) : null
  const exports = (
    <p className="exports">
      Export: <a href={`${chart.exportUrl}&format=csv`} download>CSV</a> · <a href={`${chart.exportUrl}&format=json`}>JSON</a>
    </p>
  )
  if (chart.empty !== null) {
    return (
      <>
        <p className="empty" data-testid={`empty-${chart.chart}`}>{chart.empty}</p>
        <GapLegend chart={chart.chart} gaps={chart.gaps} />
        {notes}
        {exports}
      </>
    )
  }
  const f = chartFormatters(chart.axes)
  const share = chart.axes.y === 'share'
  const titleOf = new Map(chart.series.map((s) => [s.label, s.title]))
  const common = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
      <XAxis dataKey="x" type="number" scale={chart.axes.x === 'time' ? 'time' : 'linear'} domain={chart.domain} tickFormatter={f.xTick} stroke="var(--muted)" minTickGap={40} />
      <YAxis stroke="var(--muted)" allowDecimals={chart.axes.y !== 'count'} domain={share ? [0, 1] : [0, 'auto']} tickFormatter={f.yTick} width={share ? 60 : 44} />
      <Tooltip labelFormatter={f.xLabel} formatter={f.value} contentStyle={tooltipStyle} labelStyle={{ color: 'var(--text)' }} />
      <Legend formatter={(value: string) => <span title={titleOf.get(value) ?? value}>{value}</span>} />
      {gapBands(chart.gaps)}
      {chart.markers.map((m) => (
        <ReferenceLine
          key={`${m.kind}-${m.at}-${m.title}`}
          x={m.at}
          stroke={chart.markerStyle[m.kind].stroke}
          strokeDasharray={chart.markerStyle[m.kind].dash}
          strokeWidth={chart.markerStyle[m.kind].width}
          label={m.label === null ? undefined : markerLabel(m, chart.marginTop)}
        />
      ))}
    </>
  )
  const margin = { top: chart.marginTop, right: 16, bottom: 0, left: 0 }
  return (
    <>
      <div className="chart" role="img" aria-label={`${chart.title}: ${chart.series.map((s) => s.label).join(', ')}`} data-testid={`chart-${chart.chart}`}>
        <ResponsiveContainer width="100%" height="100%">
          {chart.kind === 'line' ? (
            <LineChart data={chart.points} margin={margin}>
              {common}
              {chart.series.map((s) => (
                <Line key={s.key} dataKey={valueOf(s.key)} name={s.label} stroke={s.colour} dot={false} strokeWidth={2} connectNulls={false} isAnimationActive={false} type="linear" />
              ))}
            </LineChart>
          ) : chart.kind === 'stacked-bar' ? (
            <BarChart data={chart.points} margin={margin}>
              {common}
              {chart.series.map((s) => (
                <Bar key={s.key} dataKey={valueOf(s.key)} name={s.label} stackId="a" fill={s.colour} fillOpacity={s.opacity} isAnimationActive={false} />
              ))}
            </BarChart>
          ) : (
            <AreaChart data={chart.points} margin={margin}>
              {common}
              {chart.series.map((s) => (
                <Area key={s.key} dataKey={valueOf(s.key)} name={s.label} stackId="a" type="monotone" stroke={s.colour} fill={s.colour} fillOpacity={s.opacity} isAnimationActive={false} />
              ))}
            </AreaChart>
          )}
        </ResponsiveContainer>
      </div>
      <GapLegend chart={chart.chart} gaps={chart.gaps} />
      {chart.unlabelledMarkers.length > 0 ? (
        <ul className="marker-list" data-testid={`markers-${chart.chart}`} aria-label="Markers not labelled in the chart">
          {chart.unlabelledMarkers.map((m) => (
            <li key={`${m.kind}-${m.at}-${m.title}`} title={m.title}>
              <svg width="14" height="10" aria-hidden="true">
                <line x1="7" y1="0" x2="7" y2="10" stroke={chart.markerStyle[m.kind].stroke} strokeDasharray={chart.markerStyle[m.kind].dash} strokeWidth={chart.markerStyle[m.kind].width} />
              </svg>
              {m.text} · {f.xLabel(m.at)}
            </li>
          ))}
        </ul>
      ) : null}
      {notes}
      {exports}
    </>
  )
}

// Series keys are version strings such as 1.2.3: a string dataKey would be read as a path.
const valueOf = (key: string) => (point: DrawnChart['points'][number]) => point.values[key] ?? null
