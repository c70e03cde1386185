// Display formatting shared by pages and charts. Pure; the time functions
// format in the runtime's time zone, so call them in the browser for the
// viewer's zone.

export function formatShare(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)} %`
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** Axis tick: time of day, with the date when the window spans days. */
function formatTick(ms: number, spanMs: number): string {
  const d = new Date(ms)
  if (spanMs > 36 * 3600_000) return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** Minutes since a release, for the aligned curves' axis. */
function formatMinutes(minutes: number): string {
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60 ? `${minutes % 60} min` : ''}`.trim()
}

/** A rate to three significant digits (0.0333 requests per tab, 41.2 requests/s); undefined as —. */
function formatRate(v: unknown): string {
  if (typeof v !== 'number') return '—'
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)))
}

/** How a chart's axes and tooltip print, prepared with its data (the functions are made in the browser, for the viewer's time zone). */
export interface AxisSpec {
  /** time: x is epoch ms over a window of spanMs; offset: x is minutes since each series' release. */
  x: 'time' | 'offset'
  spanMs: number
  /** share: 0..1 as percent; count: whole numbers; rate: per second or per tab, with decimals. */
  y: 'share' | 'count' | 'rate'
}

export interface ChartFormatters {
  xTick: (x: number) => string
  xLabel: (x: unknown) => string
  yTick: (y: number) => string
  value: (v: unknown) => string
}

export function chartFormatters(axes: AxisSpec): ChartFormatters {
  const share = axes.y === 'share'
  return {
    xTick: (x) => (axes.x === 'time' ? formatTick(x, axes.spanMs) : `+${formatMinutes(x)}`),
    xLabel: (x) => (axes.x === 'time' ? formatDateTime(Number(x)) : `${formatMinutes(Number(x))} after release`),
    yTick: (y) => (share ? `${Math.round(y * 100)} %` : String(y)),
    value: (v) => (share ? formatShare(typeof v === 'number' ? v : null) : axes.y === 'rate' ? formatRate(v) : String(v)),
  }
}
