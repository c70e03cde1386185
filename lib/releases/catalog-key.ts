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
