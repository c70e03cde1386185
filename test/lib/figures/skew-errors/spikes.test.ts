import { describe, expect, it } from 'vitest'
import { spikesOf } from '@/lib/figures/skew-errors/spikes'

// Skew-error spikes, pure (docs/semantics.md, Skew errors).

describe('spikesOf', () => {
  it('spikes: minutes with at least minEvents and factor × the mean, with their top cause', () => {
    const M = 60_000
    const rows = [
      { minute: 0, series: 'gone', events: 1 },
      { minute: 5 * M, series: 'gone', events: 4 },
      { minute: 5 * M, series: 'network', events: 6 },
      { minute: 9 * M, series: 'cached_404', events: 2 },
    ]
    expect(spikesOf(rows, 0, 10 * M)).toEqual([{ at: 5 * M, count: 10, topCause: 'network' }])
    // The mean is 1.3 per minute: the first minute (1) is under it.
    expect(spikesOf(rows, 0, 10 * M, { minEvents: 1, factor: 1 }).map((s) => s.at)).toEqual([5 * M, 9 * M])
  })
})
