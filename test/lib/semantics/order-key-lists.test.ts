import { describe, expect, it } from 'vitest'
import { lookUpOrderKey, orderKeyLists, UNKNOWN_ORDER_KEY } from '@/lib/semantics/order-key-lists'
import { orderKey, type VersionCatalog } from '@/lib/semantics/version-order'

// The precomputed order lists must give, at every time, the key orderKey()
// gives (docs/semantics.md, Version order), -1 standing for an unknown version.

const H = 3600_000
// v1, then v2, then a rollback to v1; v3 run by clients from 4 h but registered
// only at 5 h; a hotfix never registered, first seen at 2.5 h; v4 registered
// at 6 h and not seen yet.
const catalog: VersionCatalog = {
  releases: [
    { version: 'v2', releasedAt: 2 * H },
    { version: 'v1', releasedAt: 3 * H },
    { version: 'v1', releasedAt: 1 * H },
    { version: 'v3', releasedAt: 5 * H },
    { version: 'v4', releasedAt: 6 * H },
  ],
  firstSeen: new Map([
    ['v1', 1 * H],
    ['v2', 2 * H],
    ['hotfix', 2.5 * H],
    ['v3', 4 * H],
  ]),
}
const versions = ['v1', 'v2', 'v3', 'v4', 'hotfix', 'never-seen']
const boundaries = [1, 2, 2.5, 3, 4, 5, 6].map((h) => h * H)
// On and around each boundary, and well before and after all of them.
const times = [0, ...boundaries.flatMap((b) => [b - 1, b, b + 1]), 9 * H]

describe('order key lists (docs/semantics.md, Version order)', () => {
  it('give the key orderKey() gives, for every version at every time', () => {
    const lists = orderKeyLists(catalog)
    for (const at of times) {
      for (const version of versions) {
        expect(lookUpOrderKey(lists, version, at), `${version} at ${at}`).toBe(orderKey(catalog, version, at) ?? UNKNOWN_ORDER_KEY)
      }
    }
  })

  it('reorder at the rollback: v2 is after v1 between 2 h and 3 h, before it from 3 h', () => {
    const lists = orderKeyLists(catalog)
    expect(lookUpOrderKey(lists, 'v2', 3 * H - 1)).toBeGreaterThan(lookUpOrderKey(lists, 'v1', 3 * H - 1))
    expect(lookUpOrderKey(lists, 'v2', 3 * H)).toBeLessThan(lookUpOrderKey(lists, 'v1', 3 * H))
  })

  it('hold one entry per known version and one per release, whatever the catalog spans', () => {
    const lists = orderKeyLists(catalog)
    expect(lists.versions).toEqual(['v2', 'v1', 'v3', 'v4', 'hotfix'])
    expect(lists.releases).toEqual([[], [2 * H], [1 * H, 3 * H], [5 * H], [6 * H], []])
    expect(lists.keys).toEqual([[UNKNOWN_ORDER_KEY], [2 * H, 2 * H], [1 * H, 1 * H, 3 * H], [4 * H, 5 * H], [UNKNOWN_ORDER_KEY, 6 * H], [2.5 * H]])
  })

  it('count a release registered twice at the same time once', () => {
    const lists = orderKeyLists({ releases: [{ version: 'a', releasedAt: 1 * H }, { version: 'a', releasedAt: 1 * H }], firstSeen: new Map() })
    expect(lists.releases).toEqual([[], [1 * H]])
    expect(lookUpOrderKey(lists, 'a', 1 * H)).toBe(1 * H)
    expect(lookUpOrderKey(lists, 'a', 1 * H - 1)).toBe(UNKNOWN_ORDER_KEY)
  })
})
