import { describe, expect, it } from 'vitest'
import type { ChartMarker } from '@/lib/charts/chart-data'
import { labelledMarkers } from '@/lib/charts/marker-labels'

const H = 3600_000
const release = (at: number, label: string): ChartMarker => ({ at, label, kind: 'release' })

describe('labelledMarkers', () => {
  it('labels only the latest of markers too close to print side by side, and every marker far enough apart', () => {
    const markers = [release(1 * H, 'a'), release(1 * H + 10 * 60_000, 'b'), release(12 * H, 'c'), release(23 * H, 'd')]
    const labelled = labelledMarkers(markers, 0, 24 * H)
    expect(markers.filter((m) => labelled.has(m)).map((m) => m.label)).toEqual(['b', 'c', 'd'])
  })

  it('labels everything on a window wide enough', () => {
    const markers = [release(1 * H, 'a'), release(1 * H + 10 * 60_000, 'b')]
    expect(labelledMarkers(markers, 0.5 * H, 1.5 * H).size).toBe(2)
  })
})
