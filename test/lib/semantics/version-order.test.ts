import { describe, expect, it } from 'vitest'
import { isOrderedBefore, latestReleaseAt, orderKey, type VersionCatalog } from '@/lib/semantics/version-order'

const H = 3600_000
const catalog = (releases: [string, number][], firstSeen: [string, number][] = []): VersionCatalog => ({
  releases: releases.map(([version, releasedAt]) => ({ version, releasedAt })),
  firstSeen: new Map(firstSeen),
})

describe('version order (docs/semantics.md, Version order)', () => {
  it('orders registered versions by release time, never as strings', () => {
    const c = catalog([['v10', 1 * H], ['v9', 2 * H]])
    expect(isOrderedBefore(c, 'v10', 'v9', 3 * H)).toBe(true)
    expect(isOrderedBefore(c, 'v9', 'v10', 3 * H)).toBe(false)
  })

  it('orders a never-registered version by when it was first seen', () => {
    const c = catalog([['a', 1 * H], ['c', 3 * H]], [['b', 2 * H]])
    expect(isOrderedBefore(c, 'a', 'b', 4 * H)).toBe(true)
    expect(isOrderedBefore(c, 'b', 'c', 4 * H)).toBe(true)
  })

  it('after a rollback the build rolled back from counts as stale', () => {
    // v1 at 1h, v2 at 2h, v1 re-released at 3h.
    const c = catalog([['v1', 1 * H], ['v2', 2 * H], ['v1', 3 * H]])
    expect(latestReleaseAt(c, 2.5 * H)?.version).toBe('v2')
    expect(isOrderedBefore(c, 'v1', 'v2', 2.5 * H)).toBe(true)
    expect(latestReleaseAt(c, 3.5 * H)?.version).toBe('v1')
    expect(isOrderedBefore(c, 'v2', 'v1', 3.5 * H)).toBe(true)
  })

  it('a release registered after clients already run it takes effect only from its release time', () => {
    const c = catalog([['v1', 1 * H], ['v2', 5 * H]], [['v1', 1 * H], ['v2', 2 * H]])
    expect(orderKey(c, 'v2', 3 * H)).toBe(2 * H) // first seen, not yet released
    expect(latestReleaseAt(c, 3 * H)?.version).toBe('v1')
    expect(isOrderedBefore(c, 'v1', 'v2', 3 * H)).toBe(true)
    expect(orderKey(c, 'v2', 6 * H)).toBe(5 * H)
  })

  it('a project without releases has each version released when first seen', () => {
    const c = catalog([], [['x', 1 * H], ['y', 2 * H]])
    expect(latestReleaseAt(c, 1.5 * H)).toEqual({ version: 'x', releasedAt: 1 * H, implicit: true })
    expect(latestReleaseAt(c, 2.5 * H)?.version).toBe('y')
    expect(latestReleaseAt(c, 0.5 * H)).toBeNull()
  })

  it('the same version is never before itself, and unknown versions are not ordered', () => {
    const c = catalog([['v1', 1 * H]])
    expect(isOrderedBefore(c, 'v1', 'v1', 2 * H)).toBe(false)
    expect(isOrderedBefore(c, 'nope', 'v1', 2 * H)).toBe(false)
  })
})
