import { describe, expect, it } from 'vitest'
import { adoptionSeries, staleShareSeries, timeToShare } from '@/lib/semantics/rollout'
import { pivot, stepFor, toCsv, type ChartData } from '@/lib/charts/chart-data'
import { formatDuration, formatShare } from '@/lib/charts/format'
import type { VersionCatalog } from '@/lib/semantics/version-order'

// The pure chart shaping: rollout figures from per-minute counts, the chart
// grid and the CSV export.

const M = 60_000
const T = Date.UTC(2026, 10, 1, 12, 0)
const catalog: VersionCatalog = {
  releases: [
    { version: 'a', releasedAt: T - 60 * M },
    { version: 'b', releasedAt: T },
    { version: 'a', releasedAt: T + 10 * M }, // rollback
  ],
  firstSeen: new Map([['a', T - 60 * M], ['b', T - 5 * M], ['x', T + 2 * M]]),
}

describe('rollout figures from live sessions per minute', () => {
  const rows = [
    { minute: T, version: 'a', sessions: 3 },
    { minute: T, version: 'b', sessions: 1 },
    { minute: T + 5 * M, version: 'a', sessions: 1 },
    { minute: T + 5 * M, version: 'b', sessions: 2 },
    { minute: T + 5 * M, version: 'x', sessions: 1 },
    { minute: T + 15 * M, version: 'a', sessions: 1 },
    { minute: T + 15 * M, version: 'b', sessions: 3 },
  ]

  it('counts newer versions (an unregistered one by first seen) as adopted, and nothing live as undefined', () => {
    const points = adoptionSeries(rows, catalog, 'b', T, T + 15 * M)
    expect(points.find((p) => p.minute === T)?.ratio).toBe(1 / 4)
    expect(points.find((p) => p.minute === T + 5 * M)?.ratio).toBe(3 / 4)
    expect(points.find((p) => p.minute === T + M)?.ratio).toBeNull()
    // After the rollback a is ordered after b: its sessions count as past b.
    expect(points.find((p) => p.minute === T + 15 * M)?.ratio).toBe(1)
    expect(timeToShare(points, { version: 'b', releasedAt: T }, 0.5)).toBe(5 * M)
    expect(timeToShare(points, { version: 'b', releasedAt: T }, 0.9)).toBe(15 * M)
  })

  it('gives the stale share against the latest release at each minute', () => {
    const points = staleShareSeries(rows, catalog, T, T + 15 * M)
    expect(points.find((p) => p.minute === T)?.ratio).toBe(3 / 4)
    expect(points.find((p) => p.minute === T + 5 * M)?.ratio).toBe(1 / 4)
    expect(points.find((p) => p.minute === T + 15 * M)?.ratio).toBe(3 / 4)
  })
})

describe('chart data', () => {
  it('puts rows on a grid with zeros and keeps series in release order', () => {
    const { series, points } = pivot([{ x: T + M, series: 'b', value: 2 }, { x: T, series: 'a', value: 1 }], T, T + 2 * M, M, ['b', 'a'])
    expect(series).toEqual(['b', 'a'])
    expect(points).toEqual([
      { x: T, values: { b: 0, a: 1 } },
      { x: T + M, values: { b: 2, a: 0 } },
      { x: T + 2 * M, values: { b: 0, a: 0 } },
    ])
  })

  it('exports CSV with ISO times, quoting series names that need it', () => {
    const data: ChartData = {
      chart: 'versions', title: '', xKind: 'time', unit: 'sessions', from: T, to: T, stepMinutes: 1, markers: [],
      series: ['v1', 'odd,"name"'], points: [{ x: T, values: { v1: 3, 'odd,"name"': null } }],
    }
    expect(toCsv(data)).toBe(`time,v1,"odd,""name"""\n2026-11-01T12:00:00.000Z,3,\n`)
  })

  it('coarsens points only beyond a day', () => {
    expect(stepFor(24 * 60 * M)).toBe(1)
    expect(stepFor(48 * 60 * M)).toBe(5)
    expect(stepFor(7 * 24 * 60 * M)).toBe(15)
  })

  it('formats shares and durations for people', () => {
    expect(formatShare(null)).toBe('—')
    expect(formatShare(0.756)).toBe('75.6 %')
    expect(formatDuration(20 * M)).toBe('20 min')
    expect(formatDuration(123 * M)).toBe('2 h 3 min')
    expect(formatDuration(null)).toBe('—')
  })
})
