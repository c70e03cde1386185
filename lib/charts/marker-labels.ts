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

/** A marker as the renderer draws it: its line, and its label (if any) placed where it fits. */
export interface DrawnMarker {
  at: number
  kind: ChartMarker['kind']
  /** The text printed beside the line; null draws the line alone. */
  label: string | null
  /** The marker's whole label, for the tooltip of the line. */
  title: string
  /** Row of labels from the top, 0 first. */
  lane: number
  /** start: the text runs right of the line; end: left of it (a marker near the right edge). */
  anchor: 'start' | 'end'
}

/** Assumptions about the drawing that make the layout hold at every chart width from this one up. */
export const MARKER_LAYOUT = {
  /** The narrowest plot a chart gets on a laptop screen, px. */
  minPlotWidthPx: 560,
  /** Width of one character at the labels' 11 px font, px (a generous average). */
  charWidthPx: 6.8,
  /** Gap between the line and its text, and between two labels, px. */
  gapPx: 4,
  lanes: 2,
  laneHeightPx: 13,
  maxLabelChars: 24,
}

const shorten = (label: string, max: number) => (label.length <= max ? label : `${label.slice(0, max - 1)}…`)

/**
 * Places the labels of the markers labelledMarkers picks (for each kind of
 * marker apart): each runs right of
 * its line, or left of it where it would pass the right edge, in the first
 * lane where it overlaps no other label (a release and a minimum change at
 * the same time take two lanes). A label that fits in no lane is left off,
 * its line kept. Positions are reckoned on the narrowest plot width, so they
 * hold on any wider one: a label that fits there fits everywhere.
 */
export function layoutMarkers(markers: readonly ChartMarker[], from: number, to: number, layout = MARKER_LAYOUT): DrawnMarker[] {
  // Runs are thinned per kind: a minimum change next to a release keeps its label, in another lane.
  const kinds = [...new Set(markers.map((m) => m.kind))]
  const labelled = new Set(kinds.flatMap((kind) => [...labelledMarkers(markers.filter((m) => m.kind === kind), from, to)]))
  const span = Math.max(1, to - from)
  const lanes: [number, number][][] = Array.from({ length: layout.lanes }, () => [])
  const placed = new Map<ChartMarker, Pick<DrawnMarker, 'label' | 'lane' | 'anchor'>>()
  // The latest first: of markers competing for room, the newest keeps its label.
  for (const marker of [...markers].sort((a, b) => b.at - a.at)) {
    if (!labelled.has(marker)) continue
    const text = shorten(marker.label, layout.maxLabelChars)
    const width = text.length * layout.charWidthPx + layout.gapPx
    const x = ((marker.at - from) / span) * layout.minPlotWidthPx
    const anchor = x + width <= layout.minPlotWidthPx ? 'start' : 'end'
    const extent: [number, number] = anchor === 'start' ? [x, x + width] : [x - width, x]
    if (extent[0] < 0) continue
    const lane = lanes.findIndex((taken) => taken.every(([a, b]) => extent[1] + layout.gapPx <= a || b + layout.gapPx <= extent[0]))
    if (lane === -1) continue
    lanes[lane]!.push(extent)
    placed.set(marker, { label: text, lane, anchor })
  }
  return markers.map((m) => ({ at: m.at, kind: m.kind, title: m.label, ...(placed.get(m) ?? { label: null, lane: 0, anchor: 'start' as const }) }))
}
