import { describe, expect, it } from 'vitest'
import { olderShare } from '@/lib/figures/skew-errors/share'

// The share of skew errors from builds older than the latest, pure (docs/semantics.md, Skew errors).

describe('olderShare', () => {
  it('share from builds older than the latest, each bucket judged at its end', () => {
    const catalog = { releases: [{ version: 'v1', releasedAt: 0 }, { version: 'v2', releasedAt: 100 }], firstSeen: new Map() }
    const rows = [
      { minute: 0, series: 'v1', events: 3 },
      { minute: 120, series: 'v1', events: 2 },
      { minute: 120, series: 'v2', events: 2 },
    ]
    // In the first bucket (ends at 60) v1 is the latest; in the second, older.
    expect(olderShare(catalog, rows, 60)).toEqual({ total: 7, older: 2, share: 2 / 7 })
    expect(olderShare(catalog, [], 60)).toEqual({ total: 0, older: 0, share: null })
  })
})
