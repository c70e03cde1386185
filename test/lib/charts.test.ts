import { describe, expect, it } from 'vitest'
import type { ChartMarker, FigureChart } from '@/lib/charts/chart-data'
import { drawChart } from '@/lib/charts/draw'
import { chartFormatters } from '@/lib/charts/format'
import { layoutMarkers, MARKER_LAYOUT } from '@/lib/charts/marker-labels'
import { CAUSE_COLOURS, REASON_COLOURS, toneColour, VERSION_COLOURS } from '@/lib/charts/palette'
import { otherKey, topVersions } from '@/lib/charts/top-versions'

// The pure preparation every chart goes through before the renderer draws it.

const H = 3600_000
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
const distance = (a: string, b: string) => Math.hypot(...rgb(a).map((x, i) => x - rgb(b)[i]!))

describe('series colours', () => {
  it('keep consecutive versions apart, and never give a version a colour that means something else', () => {
    const versions = VERSION_COLOURS.map((_, index) => toneColour({ family: 'version', index }))
    for (let i = 0; i < versions.length; i++) {
      const next = versions[(i + 1) % versions.length]!
      expect(distance(versions[i]!, next), `${versions[i]} ${next}`).toBeGreaterThan(100)
    }
    const others = [
      ...Object.keys(REASON_COLOURS).map((reason) => toneColour({ family: 'reason', reason })),
      ...Object.keys(CAUSE_COLOURS).map((cause) => toneColour({ family: 'cause', cause })),
      toneColour({ family: 'other' }),
      toneColour({ family: 'unversioned' }),
      toneColour({ family: 'share' }),
      toneColour({ family: 'relative', side: 'older' }),
      toneColour({ family: 'relative', side: 'newer' }),
    ]
    expect(new Set([...versions, ...others]).size).toBe(versions.length + others.length)
  })
})

describe('marker labels', () => {
  const marker = (at: number, label: string, kind: ChartMarker['kind'] = 'release'): ChartMarker => ({ at, label, kind })

  it('put a release and a minimum change at the same time in two lanes', () => {
    const drawn = layoutMarkers([marker(30 * 60_000, 'v3'), marker(30 * 60_000 + 1000, 'min v2', 'min_supported')], 0, H)
    expect(drawn.map((m) => m.label !== null)).toEqual([true, true])
    expect(new Set(drawn.map((m) => m.lane))).toEqual(new Set([0, 1]))
  })

  it('run a label left of its line near the right edge, so it is not cut off', () => {
    const [end] = layoutMarkers([marker(H, 'min 2026.11.27-1', 'min_supported')], 0, H)
    expect(end).toMatchObject({ label: 'min 2026.11.27-1', anchor: 'end' })
    const [start] = layoutMarkers([marker(0, 'v1')], 0, H)
    expect(start!.anchor).toBe('start')
  })

  it('shorten long version names and keep the whole name for the tooltip', () => {
    const long = 'release-'.repeat(8)
    const [m] = layoutMarkers([marker(H / 2, long)], 0, H)
    expect(m!.label!.length).toBe(MARKER_LAYOUT.maxLabelChars)
    expect(m!.title).toBe(long)
  })
})

describe('top versions', () => {
  it('keep all versions that fit, else every registered release and the largest of the others, ties by name', () => {
    expect(topVersions(new Map([['a', 1], ['b', 2]]), new Set(['a']))).toEqual(new Set(['a', 'b']))
    const totals = new Map(Array.from({ length: 10 }, (_, i) => [`v${i}`, i] as [string, number]))
    expect(topVersions(totals, new Set(['v0']), 3)).toEqual(new Set(['v0', 'v9', 'v8']))
    expect(topVersions(totals, new Set(['v0', 'v1', 'v2', 'v3']), 3)).toEqual(new Set(['v0', 'v1', 'v2', 'v3']))
    expect(otherKey(new Set(['other']))).toBe('other versions')
  })
})

describe('drawn charts', () => {
  const figure = (values: (number | null)[], unit: 'share' | 'sessions'): FigureChart => ({
    data: {
      chart: 'stale-share', title: 'Stale share', xKind: 'time', unit, from: 0, to: 2 * 60_000, stepMinutes: 1, markers: [], series: ['s'],
      points: values.map((v, i) => ({ x: i * 60_000, values: { s: v } })),
    },
    facts: [{ key: 's', label: 's', version: null, visibility: null, tone: { family: 'share' } }],
  })
  const display = { kind: 'line' as const, emptyText: 'nothing live', exportUrl: '/x?' }

  it('draw a true 0 % as a value, and only nothing live as empty', () => {
    expect(drawChart(figure([0, 0, 0], 'share'), display).empty).toBeNull()
    expect(drawChart(figure([null, null, null], 'share'), display).empty).toBe('nothing live')
    expect(drawChart(figure([0, 0, 0], 'sessions'), display).empty).toBe('nothing live')
  })

  it('prepare the formats with the data', () => {
    const f = chartFormatters({ x: 'offset', spanMs: 0, y: 'share' })
    expect(f.value(0)).toBe('0.0 %')
    expect(f.yTick(0.5)).toBe('50 %')
    expect(f.xTick(150)).toBe('+2 h 30 min')
  })
})
