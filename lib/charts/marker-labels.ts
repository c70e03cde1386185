import type { ChartMarker } from './chart-data'

/**
 * Which markers get a text label: markers closer than `minGapShare` of the
 * chart's width would print their labels over each other (a day of hourly
 * releases), so only the latest of such a run is labelled; every marker keeps
 * its line, and the export lists them all.
 */
export function labelledMarkers(markers: readonly ChartMarker[], from: number, to: number, minGapShare = 0.08): Set<ChartMarker> {
  const minGap = Math.max(0, to - from) * minGapShare
  const labelled = new Set<ChartMarker>()
  let nextLabelledAt = Infinity
  for (const marker of [...markers].sort((a, b) => b.at - a.at)) {
    if (nextLabelledAt - marker.at >= minGap) {
      labelled.add(marker)
      nextLabelledAt = marker.at
    }
  }
  return labelled
}
