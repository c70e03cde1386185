// A small, strict parser of the Prometheus text exposition format (0.0.4),
// for tests: it throws on anything a Prometheus server would reject or that
// breaks the format's rules (samples before their TYPE, duplicate series,
// bad names, bad escapes, histogram buckets out of order or not cumulative).

export interface ParsedSample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface ParsedFamily {
  name: string
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  help: string
  samples: ParsedSample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return NaN
  if (text === '+Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value ${JSON.stringify(text)}`)
  return Number(text)
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    const eq = text.indexOf('=', i)
    if (eq < 0) throw new Error(`line ${line}: label without =`)
    const name = text.slice(i, eq)
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`)
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`)
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`)
    let value = ''
    let j = eq + 2
    for (;;) {
      const c = text[j]
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`)
      if (c === '"') break
      if (c === '\\') {
        const n = text[j + 1]
        if (n === 'n') value += '\n'
        else if (n === '\\' || n === '"') value += n
        else throw new Error(`line ${line}: bad escape \\${n}`)
        j += 2
      } else {
        value += c
        j++
      }
    }
    labels[name] = value
    i = j + 1
    if (i < text.length) {
      if (text[i] !== ',') throw new Error(`line ${line}: expected , between labels`)
      i++
    }
  }
  return labels
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline')
  const families = new Map<string, ParsedFamily>()
  const seen = new Set<string>()
  const lines = text.slice(0, -1).split('\n')
  lines.forEach((raw, index) => {
    const line = index + 1
    if (raw.trim() === '') return
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw)
      if (!m) return // a plain comment
      const [, keyword, name, rest] = m as unknown as [string, string, string, string]
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`)
      let family = families.get(name)
      if (keyword === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: bad type ${rest}`)
        if (family && (family.samples.length > 0 || family.type !== 'untyped')) throw new Error(`line ${line}: TYPE for ${name} after its samples or twice`)
        family ??= { name, type: 'untyped', help: '', samples: [] }
        family.type = rest as ParsedFamily['type']
      } else {
        family ??= { name, type: 'untyped', help: '', samples: [] }
        family.help = rest
      }
      families.set(name, family)
      return
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw)
    if (!m) throw new Error(`line ${line}: not a sample: ${JSON.stringify(raw)}`)
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string]
    const labels = labelText ? parseLabels(labelText, line) : {}
    const value = parseValue(valueText, line)
    const base = name.replace(/_(bucket|sum|count)$/, '')
    const family = families.get(name) ?? (families.get(base)?.type === 'histogram' ? families.get(base) : undefined)
    if (!family || family.type === 'untyped') throw new Error(`line ${line}: sample ${name} has no TYPE before it`)
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (seen.has(key)) throw new Error(`line ${line}: duplicate series ${key}`)
    seen.add(key)
    if (family.type === 'counter' && (value < 0 || Number.isNaN(value))) throw new Error(`line ${line}: counter ${name} below 0`)
    if (family.type === 'histogram' && name === family.name) throw new Error(`line ${line}: histogram sample without _bucket/_sum/_count`)
    family.samples.push({ name, labels, value })
  })
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family)
  return families
}

function checkHistogram(family: ParsedFamily): void {
  const buckets = family.samples.filter((s) => s.name === `${family.name}_bucket`)
  const count = family.samples.find((s) => s.name === `${family.name}_count`)
  if (!count || !family.samples.some((s) => s.name === `${family.name}_sum`)) throw new Error(`${family.name}: no _sum or _count`)
  let lastBound = -Infinity
  let lastCount = 0
  for (const b of buckets) {
    if (b.labels.le === undefined) throw new Error(`${family.name}: bucket without le`)
    const bound = parseValue(b.labels.le, 0)
    if (bound <= lastBound) throw new Error(`${family.name}: buckets not in increasing le`)
    if (b.value < lastCount) throw new Error(`${family.name}: buckets not cumulative`)
    lastBound = bound
    lastCount = b.value
  }
  if (lastBound !== Infinity) throw new Error(`${family.name}: no +Inf bucket`)
  if (lastCount !== count.value) throw new Error(`${family.name}: +Inf bucket ${lastCount} != _count ${count.value}`)
}
