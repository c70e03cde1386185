'use client'

import { Area, AreaChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { StackedSeries } from '@/lib/charts/stack-by-version'
import { versionColor } from '@/lib/charts/version-colors'

export interface ReleaseMarker {
  version: string
  at: number
}

const timeOfDay = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })

/** Live sessions per version per minute, stacked; dashed lines mark releases. */
export function LiveChart({ series, releases }: { series: StackedSeries; releases: ReleaseMarker[] }) {
  if (series.points.length === 0 || series.versions.length === 0) {
    return <p className="empty">No live sessions in this window yet. Send events to /api/ingest, or run npm run simulate.</p>
  }
  const first = series.points[0]!.minute
  const last = series.points.at(-1)!.minute
  return (
    <div className="chart" role="img" aria-label="Live sessions per version per minute">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={series.points} margin={{ top: 16, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="minute" type="number" scale="time" domain={[first, last]} tickFormatter={timeOfDay} stroke="var(--muted)" />
          <YAxis allowDecimals={false} stroke="var(--muted)" />
          <Tooltip
            labelFormatter={(value) => new Date(Number(value)).toLocaleString()}
            contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }}
          />
          <Legend />
          {series.versions.map((version, i) => (
            <Area
              key={version}
              type="monotone"
              dataKey={(point: { counts: Record<string, number> }) => point.counts[version] ?? 0}
              name={version}
              stackId="versions"
              stroke={versionColor(i)}
              fill={versionColor(i)}
              fillOpacity={0.55}
              isAnimationActive={false}
            />
          ))}
          {releases
            .filter((r) => r.at >= first && r.at <= last)
            .map((r) => (
              <ReferenceLine key={`${r.version}-${r.at}`} x={r.at} stroke="var(--accent)" strokeDasharray="4 3" label={{ value: r.version, position: 'top', fill: 'var(--muted)', fontSize: 11 }} />
            ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  )
}
