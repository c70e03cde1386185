import { describe, expect, it } from 'vitest'
import { orderKeyParams, orderKeySql } from '@/lib/semantics/version-order-sql'
import { UNKNOWN_ORDER_KEY } from '@/lib/semantics/order-key-lists'
import { orderKey, type VersionCatalog } from '@/lib/semantics/version-order'
import { runQuery } from '@/lib/store/run-query'
import { useEngine } from '../../support/engine'

// The SQL lookup of the version order, run by the real engine, against
// orderKey() (docs/semantics.md, Version order) on and around every release and first-seen time.
useEngine()

const H = 3600_000
const catalog: VersionCatalog = {
  releases: [
    { version: 'v1', releasedAt: 1 * H },
    { version: 'v2', releasedAt: 2 * H },
    { version: 'v1', releasedAt: 3 * H }, // rollback
    { version: 'v3', releasedAt: 5 * H },
  ],
  firstSeen: new Map([
    ['v1', 1 * H],
    ['hotfix', 2.5 * H], // never registered
    ['v3', 4 * H],
  ]),
}
const versions = ['v1', 'v2', 'v3', 'hotfix', 'never-seen']
const times = [0, ...[1, 2, 2.5, 3, 4, 5].flatMap((h) => [h * H - 1, h * H, h * H + 1]), 9 * H]

async function keysFromEngine(params: Record<string, unknown>, at: readonly number[]): Promise<Map<string, number>> {
  const rows = await runQuery<{ version: string; t: number | string; key: number | string }>(
    'test.orderKeySql',
    `SELECT version, t, ${orderKeySql('version', 't')} AS key
     FROM (SELECT arrayJoin({versions:Array(String)}) AS version, arrayJoin({times:Array(Int64)}) AS t)`,
    { ...params, versions, times: at },
  )
  return new Map(rows.map((r) => [`${r.version}@${Number(r.t)}`, Number(r.key)]))
}

describe('version order in SQL (docs/semantics.md, Version order)', () => {
  it('gives the key orderKey() gives, -1 for an unknown version', async () => {
    const keys = await keysFromEngine(orderKeyParams(catalog), times)
    for (const at of times) {
      for (const version of versions) expect(keys.get(`${version}@${at}`), `${version} at ${at}`).toBe(orderKey(catalog, version, at) ?? UNKNOWN_ORDER_KEY)
    }
  })
})
