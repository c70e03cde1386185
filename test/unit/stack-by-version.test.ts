import { describe, expect, it } from 'vitest'
import { stackByVersion } from '@/lib/charts/stack-by-version'

const M = 60_000

describe('stackByVersion', () => {
  it('gives one point per minute with zeros where a version had no session', () => {
    const series = stackByVersion(
      [
        { minute: 2 * M, version: 'new', sessions: 3 },
        { minute: 1 * M, version: 'old', sessions: 5 },
      ],
      1 * M,
      3 * M,
      ['old', 'new'],
    )
    expect(series.versions).toEqual(['old', 'new'])
    expect(series.points).toEqual([
      { minute: 1 * M, counts: { old: 5, new: 0 } },
      { minute: 2 * M, counts: { old: 0, new: 3 } },
      { minute: 3 * M, counts: { old: 0, new: 0 } },
    ])
  })

  it('stacks versions in release order, unknown versions last', () => {
    const series = stackByVersion(
      [
        { minute: M, version: 'zeta', sessions: 1 },
        { minute: M, version: 'b', sessions: 1 },
        { minute: M, version: 'a', sessions: 1 },
      ],
      M,
      M,
      ['b', 'a'],
    )
    expect(series.versions).toEqual(['b', 'a', 'zeta'])
  })
})
