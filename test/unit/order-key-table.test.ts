import { describe, expect, it } from 'vitest'
import { lookUpOrderKey, orderKeyTable, UNKNOWN_ORDER_KEY } from '@/lib/releases/order-key-table'
import { orderKey, type VersionCatalog } from '@/lib/releases/version-order'

// The precomputed order table must give, at every time, the key orderKey()
// gives (SEMANTICS: Release), -1 standing for an unknown version.

const H = 3600_000
// v1, then v2, then a rollback to v1; v3 run by clients from 4 h but registered
// only at 5 h; a hotfix never registered, first seen at 2.5 h.
const catalog: VersionCatalog = {
  releases: [
    { version: 'v2', releasedAt: 2 * H },
    { version: 'v1', releasedAt: 1 * H },
    { version: 'v1', releasedAt: 3 * H },
    { version: 'v3', releasedAt: 5 * H },
  ],
  firstSeen: new Map([
    ['v1', 1 * H],
    ['v2', 2 * H],
    ['hotfix', 2.5 * H],
    ['v3', 4 * H],
  ]),
}
const versions = ['v1', 'v2', 'v3', 'hotfix', 'never-seen']
const boundaries = [1 * H, 2 * H, 2.5 * H, 3 * H, 4 * H, 5 * H]
// On and around each boundary, and well before and after all of them.
const times = [0, ...boundaries.flatMap((b) => [b - 1, b, b + 1]), 9 * H]

const expected = (version: string, at: number) => orderKey(catalog, version, at) ?? UNKNOWN_ORDER_KEY

describe('order key table (SEMANTICS: Release)', () => {
  it('gives the key orderKey() gives, for every version at every time', () => {
    const table = orderKeyTable(catalog)
    for (const at of times) {
      for (const version of versions) expect(lookUpOrderKey(table, version, at), `${version} at ${at}`).toBe(expected(version, at))
    }
  })

  it('reorders at the rollback: v2 is after v1 between 2 h and 3 h, before it from 3 h', () => {
    const table = orderKeyTable(catalog)
    expect(lookUpOrderKey(table, 'v2', 3 * H - 1)).toBeGreaterThan(lookUpOrderKey(table, 'v1', 3 * H - 1))
    expect(lookUpOrderKey(table, 'v2', 3 * H)).toBeLessThan(lookUpOrderKey(table, 'v1', 3 * H))
  })

  it('gives the same keys within any range it was built for, and holds only the bounds inside the range', () => {
    for (const from of times) {
      for (const to of times.filter((t) => t >= from)) {
        const table = orderKeyTable(catalog, { from, to })
        expect(table.bounds.every((b) => b > from && b <= to)).toBe(true)
        for (const at of times.filter((t) => t >= from && t <= to)) {
          for (const version of versions) expect(lookUpOrderKey(table, version, at), `${version} at ${at} in [${from}, ${to}]`).toBe(expected(version, at))
        }
      }
    }
  })

  it('leaves out versions unknown throughout the range, and release times repeated', () => {
    const table = orderKeyTable({ releases: [{ version: 'a', releasedAt: 1 * H }, { version: 'b', releasedAt: 1 * H }, { version: 'c', releasedAt: 7 * H }], firstSeen: new Map() }, { from: 2 * H, to: 3 * H })
    expect(table).toEqual({ bounds: [], versions: ['a', 'b'], keys: [[UNKNOWN_ORDER_KEY, 1 * H, 1 * H]] })
    expect(orderKeyTable({ releases: [{ version: 'a', releasedAt: 1 * H }, { version: 'b', releasedAt: 1 * H }], firstSeen: new Map() }).bounds).toEqual([1 * H])
  })
})
