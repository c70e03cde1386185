import type { ChartMarker } from './chart-data'
import { shortVersionsIn } from './version-label'

// Where the labels of a chart's release and minimum markers go (issue #27,
// "Markers that say which line they belong to"): each label runs beside its
// own line, never over another marker's line or another label, so no label
// can be read as its neighbour's. A marker that cannot be labelled so keeps
// its line and is named in the list under the chart (DrawnChart.unlabelledMarkers),
// and the latest release is labelled first, so it always is.

/** A marker as the renderer draws it: its line, and its label (if any) placed where it fits. */
export interface DrawnMarker {
  at: number
  kind: ChartMarker['kind']
  /** The text printed beside the line (versions in their short form); null draws the line alone. */
  label: string | null
  /** The marker's whole label, for the tooltip of the line and the list under the chart. */
  title: string
  /** Row of labels from the top, 0 first. */
  lane: number
  /** start: the text runs right of the line; end: left of it. */
  anchor: 'start' | 'end'
}

/** Assumptions about the drawing that make the layout hold at every chart width from this one up. */
export const MARKER_LAYOUT = {
  /** The narrowest plot a chart gets: on a 390 px phone, about 260 px once the panel and the axis take theirs. */
  minPlotWidthPx: 250,
  /** Width of one character at the labels' 11 px font, px (a generous average). */
  charWidthPx: 6.8,
  /** Gap between the line and its text, and between two labels, px. */
  gapPx: 4,
  lanes: 2,
  laneHeightPx: 13,
  maxLabelChars: 24,
}

const shorten = (label: string, max: number) => (label.length <= max ? label : `${label.slice(0, max - 1)}…`)

/** The latest release first, then minimum changes, then the other releases; newest first within each. */
function priority(markers: readonly ChartMarker[]): ChartMarker[] {
  const latest = markers.filter((m) => m.kind === 'release').reduce<ChartMarker | null>((a, m) => (a === null || m.at >= a.at ? m : a), null)
  const rank = (m: ChartMarker) => (m === latest ? 0 : m.kind === 'min_supported' ? 1 : 2)
  return [...markers].sort((a, b) => rank(a) - rank(b) || b.at - a.at)
}

/**
 * Places the labels: for each marker in priority order, the first lane and
 * side where the label stays inside the plot, overlaps no label already in
 * that lane and covers no other marker's line. Positions are reckoned on
 * the narrowest plot width: on a wider plot lines move apart while labels
 * keep their size, so a layout that holds there holds everywhere. Should
 * the latest release find no such place (another line a few pixels away on
 * both sides), it takes lane 0 anyway: it is always labelled.
 */
export function layoutMarkers(markers: readonly ChartMarker[], from: number, to: number, layout = MARKER_LAYOUT): DrawnMarker[] {
  const span = Math.max(1, to - from)
  const xOf = (m: ChartMarker) => ((m.at - from) / span) * layout.minPlotWidthPx
  const lanes: [number, number][][] = Array.from({ length: layout.lanes }, () => [])
  const placed = new Map<ChartMarker, Pick<DrawnMarker, 'label' | 'lane' | 'anchor'>>()
  const ordered = priority(markers)
  for (const marker of ordered) {
    const text = shorten(shortVersionsIn(marker.label), layout.maxLabelChars)
    const width = text.length * layout.charWidthPx + layout.gapPx
    const x = xOf(marker)
    const clearOfLines = ([a, b]: [number, number]) => markers.every((m) => m === marker || xOf(m) <= a || xOf(m) >= b)
    let spot: { lane: number; anchor: 'start' | 'end'; extent: [number, number] } | null = null
    for (let lane = 0; lane < lanes.length && !spot; lane++) {
      for (const anchor of ['start', 'end'] as const) {
        const extent: [number, number] = anchor === 'start' ? [x, x + width] : [x - width, x]
        const inside = extent[0] >= 0 && extent[1] <= layout.minPlotWidthPx
        const free = lanes[lane]!.every(([a, b]) => extent[1] + layout.gapPx <= a || b + layout.gapPx <= extent[0])
        if (inside && free && clearOfLines(extent)) {
          spot = { lane, anchor, extent }
          break
        }
      }
    }
    if (!spot && marker === ordered[0] && marker.kind === 'release') {
      const anchor = x + width <= layout.minPlotWidthPx ? 'start' : 'end'
      spot = { lane: 0, anchor, extent: anchor === 'start' ? [x, x + width] : [x - width, x] }
    }
    if (!spot) continue
    lanes[spot.lane]!.push(spot.extent)
    placed.set(marker, { label: text, lane: spot.lane, anchor: spot.anchor })
  }
  return markers.map((m) => ({ at: m.at, kind: m.kind, title: m.label, ...(placed.get(m) ?? { label: null, lane: 0, anchor: 'start' as const }) }))
}
