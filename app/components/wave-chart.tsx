'use client'

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { chartFormatters } from '@/lib/charts/format'
import type { WavePicture } from '@/lib/figures/wave-picture/picture'
import { gapBands, GapLegend } from './gap-bands'

// Draws the wave as lib/figures/wave-picture/picture.ts prepared it: the
// burn-down as a line, starts and landings as bars, the guard's pauses and
// the projected end as shaded spans. It decides nothing.

const tooltipStyle = { background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' }

export function WaveChart({ picture }: { picture: WavePicture }) {
  const f = chartFormatters({ x: 'time', spanMs: picture.to - picture.from, y: 'count' })
  const s = picture.style
  return (
    <>
      <div className="chart" role="img" aria-label="The wave: live tabs below the minimum, forced reloads started and landed per minute, pauses and the projected end" data-testid="wave-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={picture.points} margin={{ top: 20, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="x" type="number" scale="time" domain={[picture.from, picture.to]} tickFormatter={f.xTick} stroke="var(--muted)" minTickGap={40} />
          <YAxis yAxisId="tabs" stroke={s.below.colour} allowDecimals={false} width={48} label={{ value: s.below.axis, angle: -90, position: 'insideLeft', fill: s.below.colour, fontSize: 11 }} />
          <YAxis yAxisId="reloads" orientation="right" stroke={s.started.colour} allowDecimals={false} width={48} label={{ value: s.started.axis, angle: 90, position: 'insideRight', fill: s.started.colour, fontSize: 11 }} />
          <Tooltip labelFormatter={f.xLabel} formatter={f.value} contentStyle={tooltipStyle} labelStyle={{ color: 'var(--text)' }} />
          <Legend />
          {picture.pauses.map((p) => (
            <ReferenceArea key={p.from} yAxisId="tabs" x1={p.from} x2={p.to} fill={s.pause.colour} fillOpacity={s.pause.opacity} label={{ value: 'paused', position: 'insideTopLeft', fill: 'var(--text)', fontSize: 11 }} />
          ))}
          {gapBands(picture.gaps, 'tabs')}
          {picture.endBand ? (
            <ReferenceArea yAxisId="tabs" x1={picture.endBand.from} x2={picture.endBand.to} fill={s.band.colour} fillOpacity={s.band.opacity} label={{ value: s.band.name, position: 'insideTop', fill: 'var(--text)', fontSize: 11 }} />
          ) : null}
          <ReferenceLine yAxisId="tabs" x={picture.now} stroke="var(--muted)" strokeDasharray="2 3" label={{ value: 'now', position: 'top', fill: 'var(--muted)', fontSize: 11 }} />
          <Bar yAxisId="reloads" dataKey="started" name={s.started.name} fill={s.started.colour} fillOpacity={0.7} isAnimationActive={false} />
          <Bar yAxisId="reloads" dataKey="landed" name={s.landed.name} fill={s.landed.colour} fillOpacity={0.7} isAnimationActive={false} />
          <Line yAxisId="tabs" dataKey="below" name={s.below.name} stroke={s.below.colour} strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} type="stepAfter" />
        </ComposedChart>
      </ResponsiveContainer>
      </div>
      <GapLegend chart="wave" gaps={picture.gaps} />
      {picture.pauses.length > 0 ? (
        <ul className="wave-pauses" data-testid="wave-pauses" aria-label="The guard's pauses">
          {picture.pauses.map((p) => (
            <li key={p.from}>
              Paused {f.xLabel(p.from)} – {p.ongoing ? 'now' : f.xLabel(p.to)}: {p.causes}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  )
}
