import { describe, expect, it } from 'vitest'
import type { ChartMarker, FigureChart } from '@/lib/charts/chart-data'
import { drawChart } from '@/lib/charts/draw'
import { layoutMarkers, MARKER_LAYOUT } from '@/lib/charts/marker-labels'

// Where marker labels go (issue #27, "Markers that say which line they
// belong to"): releases named by git SHAs a few minutes apart, and a minimum
// raised among them, on the narrowest plot a laptop draws.

const M = 60_000
const H = 60 * M
const sha = (c: string) => c.repeat(40)
const release = (at: number, label: string): ChartMarker => ({ at, label, kind: 'release' })
const minimum = (at: number, version: string): ChartMarker => ({ at, label: `min ${version}`, kind: 'min_supported' })
const markers = [release(10 * M, sha('e')), release(20 * M, sha('a')), release(23 * M, sha('b')), release(26 * M, sha('c')), minimum(27 * M, sha('b')), release(50 * M, sha('d'))]

/** Where a drawn label spans on the narrowest plot, px. */
function extent(m: { at: number; label: string | null; anchor: 'start' | 'end' }): [number, number] {
  const x = (m.at / H) * MARKER_LAYOUT.minPlotWidthPx
  const width = m.label!.length * MARKER_LAYOUT.charWidthPx + MARKER_LAYOUT.gapPx
  return m.anchor === 'start' ? [x, x + width] : [x - width, x]
}

describe('marker labels', () => {
  const drawn = layoutMarkers(markers, 0, H)

  it('always label the latest release, with the short form of its SHA', () => {
    expect(drawn.find((m) => m.at === 50 * M)!.label).toBe('ddddddd')
    expect(drawn.find((m) => m.at === 50 * M)!.title).toBe(sha('d'))
  })

  it('never put a label over another marker’s line, nor over another label', () => {
    const labelled = drawn.filter((m) => m.label !== null)
    for (const m of labelled) {
      const [a, b] = extent(m)
      for (const other of drawn) {
        if (other === m) continue
        const x = (other.at / H) * MARKER_LAYOUT.minPlotWidthPx
        expect(x <= a || x >= b, `the line of ${other.title} under the label ${m.label}`).toBe(true)
      }
      for (const other of labelled) {
        if (other === m || other.lane !== m.lane) continue
        const [c, d] = extent(other)
        expect(b <= c || d <= a, `${m.label} over ${other.label}`).toBe(true)
      }
    }
  })

  it('name every marker left without a label under the chart', () => {
    const figure: FigureChart = {
      data: { chart: 'versions', title: 'Versions', xKind: 'time', unit: 'sessions', from: 0, to: H, stepMinutes: 1, markers, series: ['s'], points: [{ x: 0, values: { s: 1 } }] },
      facts: [{ key: 's', label: 's', version: 's', visibility: null, tone: { family: 'version', index: 0 } }],
    }
    const chart = drawChart(figure, { kind: 'line', emptyText: '', exportUrl: '/x?' })
    const inChart = chart.markers.filter((m) => m.label !== null).map((m) => m.title)
    const listed = chart.unlabelledMarkers.map((m) => m.title)
    expect([...inChart, ...listed].sort()).toEqual(markers.map((m) => m.label).sort())
    expect(listed.length).toBeGreaterThan(0)
  })
})
