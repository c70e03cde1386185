'use client'

import { ReferenceArea } from 'recharts'
import type { ChartGap } from '@/lib/charts/chart-data'

// Stalewatch's own gaps (lib/figures/self-gaps/) over a time chart: a band
// for each, darker where Stalewatch heard no tab (its points are empty
// there), lighter where it was degraded (503s, backlog, storage), and a
// legend naming both, so an outage of Stalewatch is never read as tabs
// leaving (docs/timeline.md).

export const GAP_LEGEND = { unheard: 'Stalewatch not hearing tabs', degraded: 'Stalewatch degraded (503s, backlog, storage)' } as const
const FILL = { unheard: { fill: 'var(--danger)', opacity: 0.16 }, degraded: { fill: 'var(--warn, #b26a00)', opacity: 0.1 } } as const

const look = (gap: ChartGap) => FILL[gap.unheard ? 'unheard' : 'degraded']

/** The bands, as children of a recharts chart (a function: recharts reads its direct children). */
export function gapBands(gaps: readonly ChartGap[], yAxisId?: string) {
  return gaps.map((g) => (
    <ReferenceArea
      key={`gap-${g.kind}-${g.from}`}
      {...(yAxisId ? { yAxisId } : {})}
      x1={g.from}
      x2={g.to}
      ifOverflow="hidden"
      fill={look(g).fill}
      fillOpacity={look(g).opacity}
      stroke="none"
      className={`gap-band gap-${g.unheard ? 'unheard' : 'degraded'}`}
    />
  ))
}

/** The legend of the bands drawn, each gap named on hover. */
export function GapLegend({ chart, gaps }: { chart: string; gaps: readonly ChartGap[] }) {
  if (gaps.length === 0) return null
  const kinds = (['unheard', 'degraded'] as const).filter((k) => gaps.some((g) => g.unheard === (k === 'unheard')))
  return (
    <ul className="gap-legend marker-list" data-testid={`gaps-${chart}`} aria-label="Stalewatch's own gaps in this window">
      {kinds.map((k) => (
        <li key={k} title={gaps.filter((g) => g.unheard === (k === 'unheard')).map((g) => g.summary).join('\n')}>
          <svg width="14" height="10" aria-hidden="true">
            <rect width="14" height="10" fill={FILL[k].fill} fillOpacity={FILL[k].opacity * 3} />
          </svg>
          {GAP_LEGEND[k]}
        </li>
      ))}
    </ul>
  )
}
