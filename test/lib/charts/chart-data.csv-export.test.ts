import { describe, expect, it } from 'vitest'
import { toCsv, type ChartData } from '@/lib/charts/chart-data'

// Series names are version strings, and the public ingest key chooses those.
// A spreadsheet evaluates a cell that starts with one of OWASP's formula
// characters (CSV Injection: = + - @, tab, carriage return), so such a cell
// must reach it as text.

const OWASP_LEADING = ['=', '+', '-', '@', '\t', '\r']

const chart = (series: string[]): ChartData => ({
  chart: 'versions',
  title: 'Live sessions per version',
  xKind: 'time',
  unit: 'sessions',
  from: Date.UTC(2026, 10, 1, 12),
  to: Date.UTC(2026, 10, 1, 12),
  stepMinutes: 1,
  series,
  points: [{ x: Date.UTC(2026, 10, 1, 12), values: Object.fromEntries(series.map((s, i) => [s, i])) }],
  markers: [],
})

/** Splits one CSV line into its cells (RFC 4180 quoting). */
function cells(line: string): string[] {
  const out: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      out.push(cell)
      cell = ''
    } else cell += c
  }
  out.push(cell)
  return out
}

describe('CSV export', () => {
  it('neutralises every cell that starts with a character of the OWASP list', () => {
    const names = OWASP_LEADING.flatMap((c) => [`${c}HYPERLINK("https://evil.example","x")`, `${c}1+1`, c])
    const csv = toCsv(chart(names))
    // Carriage returns inside a quoted cell are data, so split the header by cells, not lines.
    const headerCells = cells(csv.slice(0, csv.indexOf('\n2026')))
    expect(headerCells).toHaveLength(names.length + 1)
    headerCells.slice(1).forEach((cell, i) => {
      expect(cell, JSON.stringify(names[i])).toBe(`'${names[i]}`)
      for (const c of OWASP_LEADING) expect(cell.startsWith(c), JSON.stringify(cell)).toBe(false)
    })
    expect(headerCells[0]).toBe('time')
    // Numbers stay numbers.
    expect(cells(csv.trim().split('\n').at(-1)!).slice(1)).toEqual(names.map((_, i) => String(i)))
  })

  it('leaves ordinary version strings as they are', () => {
    const csv = toCsv(chart(['v1.2.3', 'abc123', '2026.11.01', 'release 5']))
    expect(csv.split('\n')[0]).toBe('time,v1.2.3,abc123,2026.11.01,release 5')
  })
})
