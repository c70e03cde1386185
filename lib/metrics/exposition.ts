// Prometheus text exposition format 0.0.4, rendered from plain data. Pure.
// https://prometheus.io/docs/instrumenting/exposition_formats/

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export type Labels = Readonly<Record<string, string>>

export interface Sample {
  labels?: Labels
  value: number
}

export type MetricFamily =
  | { name: string; help: string; type: 'counter' | 'gauge'; samples: readonly Sample[] }
  | { name: string; help: string; type: 'histogram'; histograms: readonly Histogram[] }

export interface Histogram {
  labels?: Labels
  /** Upper bounds, ascending, without +Inf. */
  bounds: readonly number[]
  /** Cumulative counts per bound. */
  counts: readonly number[]
  sum: number
  count: number
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const entries = Object.entries(labels ?? {})
  if (extra) entries.push(extra)
  if (entries.length === 0) return ''
  for (const [k] of entries) if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${k}`)
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = []
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name ${f.name}`)
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`)
    if (f.type === 'histogram') {
      for (const h of f.histograms) {
        h.bounds.forEach((bound, i) => {
          lines.push(`${f.name}_bucket${labelText(h.labels, ['le', formatValue(bound)])} ${formatValue(h.counts[i] ?? 0)}`)
        })
        lines.push(`${f.name}_bucket${labelText(h.labels, ['le', '+Inf'])} ${formatValue(h.count)}`)
        lines.push(`${f.name}_sum${labelText(h.labels)} ${formatValue(h.sum)}`)
        lines.push(`${f.name}_count${labelText(h.labels)} ${formatValue(h.count)}`)
      }
    } else {
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`)
    }
  }
  return lines.join('\n') + '\n'
}
