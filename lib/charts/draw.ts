import type { ChartData, ChartGap, FigureChart } from './chart-data'
import type { AxisSpec } from './format'
import { layoutMarkers, MARKER_LAYOUT, type DrawnMarker } from './marker-labels'
import { toneColour } from './palette'
import { shortVersionsIn } from './version-label'

// Everything the chart renderer (app/components/time-chart.tsx) needs,
// decided here: each series' colour and opacity, the axes' formats, where
// each marker label goes, and whether there is anything to draw at all. The
// renderer only draws it. Pure, and serialisable (a server component hands it
// to the client).

export type ChartKind = 'stacked-area' | 'line' | 'stacked-bar'

export interface DrawnSeries {
  key: string
  /** The legend's text: versions in their short form. */
  label: string
  /** The whole label, on hover. */
  title: string
  version: string | null
  visibility: 'visible' | 'hidden' | 'unknown' | null
  colour: string
  /** Fill opacity (areas, bars). */
  opacity: number
}

export interface DrawnChart {
  chart: string
  title: string
  kind: ChartKind
  points: ChartData['points']
  series: DrawnSeries[]
  axes: AxisSpec
  /** The x range drawn: the whole window, so a marker at its very end shows. */
  domain: [number, number]
  markers: DrawnMarker[]
  /** Markers whose label found no place in the chart: named in a list under it. */
  unlabelledMarkers: (Pick<DrawnMarker, 'at' | 'kind' | 'title'> & { text: string })[]
  /** How each kind of marker line is drawn. */
  markerStyle: typeof MARKER_STYLE
  /** Room above the plot for the marker label lanes in use, px. */
  marginTop: number
  /** Stalewatch's own gaps, drawn as bands (time charts; empty otherwise). */
  gaps: ChartGap[]
  /** Shown instead of the chart when there is nothing to draw; null otherwise. */
  empty: string | null
  /** The chart's API URL without format: export links add format=csv / format=json. */
  exportUrl: string
  /** What the preparation adds in words (the skew errors' share from older builds): shown under the chart. */
  notes: string[]
}

const AXIS_OF_UNIT: Record<ChartData['unit'], AxisSpec['y']> = {
  sessions: 'count',
  share: 'share',
  'events per minute': 'count',
  events: 'count',
  'requests per second': 'rate',
  'requests per tab per minute': 'rate',
  'reconnects per minute': 'rate',
}

const OPACITY = { visible: 0.6, hidden: 0.22, unknown: 0.4 } as const

/**
 * Marker lines in the text colour, which no series uses, so they stand out
 * on every area in both themes; releases dotted, minimum changes in long
 * dashes, and the list under the chart names them the same way.
 */
export const MARKER_STYLE = {
  release: { stroke: 'var(--text)', dash: '2 3', width: 1.5 },
  min_supported: { stroke: 'var(--text)', dash: '8 4', width: 2 },
} as const
const AREA_OPACITY = 0.55

/**
 * Whether a chart has anything to draw: for shares, any defined value (a 0 %
 * stale share is a value; "nothing live" is null); for counts, any non-zero
 * count (the grid carries zeros where nothing happened).
 */
function hasValues(data: Pick<ChartData, 'unit' | 'points' | 'series'>): boolean {
  if (data.series.length === 0) return false
  const share = data.unit === 'share'
  return data.points.some((p) => Object.values(p.values).some((v) => v !== null && (share || v !== 0)))
}

export function drawChart(figure: FigureChart, display: { kind: ChartKind; emptyText: string; exportUrl: string }): DrawnChart {
  const { data, facts } = figure
  const markers = data.xKind === 'time' ? layoutMarkers(data.markers, data.from, data.to) : []
  const lanes = markers.reduce((n, m) => (m.label === null ? n : Math.max(n, m.lane + 1)), 0)
  const xs = data.points.map((p) => p.x)
  return {
    chart: data.chart,
    title: data.title,
    kind: display.kind,
    points: data.points,
    series: facts.map((f) => ({
      key: f.key,
      label: shortVersionsIn(f.label),
      title: f.label,
      version: f.version,
      visibility: f.visibility,
      colour: toneColour(f.tone),
      opacity: f.visibility === null ? AREA_OPACITY : OPACITY[f.visibility],
    })),
    axes: { x: data.xKind, spanMs: data.xKind === 'time' ? data.to - data.from : 0, y: AXIS_OF_UNIT[data.unit] },
    domain: data.xKind === 'time' ? [data.from, data.to] : [Math.min(0, ...xs), Math.max(0, ...xs)],
    markers,
    unlabelledMarkers: markers.filter((m) => m.label === null).map(({ at, kind, title }) => ({ at, kind, title, text: `${kind === 'release' ? 'release ' : ''}${shortVersionsIn(title)}` })),
    markerStyle: MARKER_STYLE,
    marginTop: 8 + Math.max(1, lanes) * MARKER_LAYOUT.laneHeightPx,
    gaps: data.xKind === 'time' ? (data.gaps ?? []) : [],
    // A window whose only values fell where Stalewatch heard no tab is drawn with its band, not called empty;
    // a chart with no series at all has no scale to draw a band on: its empty text comes with the gaps' legend.
    empty: hasValues(data) || (data.series.length > 0 && (data.gaps ?? []).some((g) => g.unheard)) ? null : display.emptyText,
    exportUrl: display.exportUrl,
    notes: data.notes ?? [],
  }
}
