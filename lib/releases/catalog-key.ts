import { createHash } from 'node:crypto'
import type { VersionCatalog } from '../semantics/version-order'

// A fingerprint of everything the version order depends on (releases and
// first-seen times), so figures precomputed under one order are never read
// under another: registering a release, or a new version appearing, gives a
// new key. Independent of the order the catalog lists things in.

export function catalogKey(catalog: VersionCatalog): string {
  const releases = catalog.releases.map((r) => `${r.releasedAt}\u0000${r.version}`).sort()
  const firstSeen = [...catalog.firstSeen].map(([version, at]) => `${at}\u0000${version}`).sort()
  return createHash('sha256').update(JSON.stringify([releases, firstSeen])).digest('hex').slice(0, 32)
}

/**
 * The key of the catalog as it stood up to `through`: the releases and
 * first-seen times at or before it. Figures of the minutes up to `through`
 * depend on nothing else, because a version's order at t rests on its
 * releases up to t, or else on its first-seen time, and a version with
 * sessions at t was first seen by t (first-seen is the earliest stored
 * event). So a release registered, or a version first seen, after the edge
 * leaves the figures stored for that edge valid; a release back-dated before
 * it does not.
 */
export function catalogKeyThrough(catalog: VersionCatalog, through: number): string {
  return catalogKey({
    releases: catalog.releases.filter((r) => r.releasedAt <= through),
    firstSeen: new Map([...catalog.firstSeen].filter(([, at]) => at <= through)),
  })
}
