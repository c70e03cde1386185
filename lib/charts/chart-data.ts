import type { Tone } from './palette'

// The one shape every dashboard chart has, on the page and in its JSON/CSV
// export: points along x (epoch ms, or minutes since a release for aligned
// curves), one value per series. Pure.

export interface ChartMarker {
  at: number
  label: string
  kind: 'release' | 'min_supported'
}

/**
 * A stretch in which Stalewatch itself was down or degraded
 * (lib/figures/self-gaps/): drawn as a band over every time chart, so its
 * own outage is not read as the tabs' behaviour.
 */
export interface ChartGap {
  kind: string
  from: number
  to: number
  /** Stalewatch heard no tab in it (down, disk low): the chart's points over it are empty. */
  unheard: boolean
  summary: string
}

export interface ChartData {
  chart: string
  title: string
  /** 'time': x is epoch ms; 'offset': x is minutes since each series' own release. */
  xKind: 'time' | 'offset'
  unit: 'sessions' | 'share' | 'events per minute' | 'events' | 'requests per second' | 'requests per tab per minute' | 'reconnects per minute'
  from: number
  to: number
  stepMinutes: number
  series: string[]
  points: { x: number; values: Record<string, number | null> }[]
  markers: ChartMarker[]
  /** Stalewatch's own gaps in the window (time charts). */
  gaps?: ChartGap[]
  notes?: string[]
}

/**
 * What one series of a chart is, beside its key: the page styles it from
 * these facts, never by reading its label back.
 */
export interface SeriesFacts {
  /** The key of the series in each point's values, and its column in the export. */
  key: string
  label: string
  /** The version it counts, if it counts one version ("other" counts several). */
  version: string | null
  visibility: 'visible' | 'hidden' | 'unknown' | null
  tone: Tone
}

/** A chart as a figure prepared it: the export's data, and what each of its series is. */
export interface FigureChart {
  data: ChartData
  facts: SeriesFacts[]
}

export interface LongRow {
  x: number
  series: string
  value: number
}

/** Long rows into one point per x on the [from, to] grid, zeros where a series has no row. */
export function pivot(rows: readonly LongRow[], from: number, to: number, stepMs: number, order: readonly string[] = []): Pick<ChartData, 'series' | 'points'> {
  const rank = new Map(order.map((v, i) => [v, i]))
  const series = [...new Set(rows.map((r) => r.series))].sort(
    (a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || a.localeCompare(b),
  )
  const points = new Map<number, { x: number; values: Record<string, number | null> }>()
  for (let x = Math.ceil(from / stepMs) * stepMs; x <= to; x += stepMs) {
    points.set(x, { x, values: Object.fromEntries(series.map((s) => [s, 0])) })
  }
  for (const r of rows) {
    const point = points.get(r.x)
    if (point) point.values[r.series] = (point.values[r.series] ?? 0) + r.value
  }
  return { series, points: [...points.values()] }
}

// A spreadsheet evaluates a text cell that starts with one of these (OWASP,
// CSV Injection), and series names are version strings the public ingest key
// chooses: such a cell gets a leading apostrophe, which makes it plain text.
// Numbers are written as numbers.
const FORMULA_START = /^[=+\-@\t\r]/

const csvCell = (value: string | number | null) => {
  if (value === null) return ''
  const text = typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** CSV with a header row; time x as ISO 8601 UTC. */
export function toCsv(data: ChartData): string {
  const header = [data.xKind === 'time' ? 'time' : 'minutes_since_release', ...data.series]
  const lines = [header.map(csvCell).join(',')]
  for (const p of data.points) {
    const x = data.xKind === 'time' ? new Date(p.x).toISOString() : p.x
    lines.push([x, ...data.series.map((s) => p.values[s] ?? null)].map(csvCell).join(','))
  }
  return lines.join('\n') + '\n'
}

/** Minutes per point for a window: per minute up to a day, coarser beyond so charts stay readable. */
export function stepFor(windowMs: number): number {
  const hours = windowMs / 3600_000
  if (hours <= 24) return 1
  if (hours <= 72) return 5
  return 15
}
