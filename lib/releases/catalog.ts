import { processSingleton } from '../process-singleton'
import { listFirstSeen, listMinSupportedChanges, listReleases, type MinSupportedChange } from './release-store'
import { catalogGeneration } from './catalog-staleness'
import { isOrderedBefore, latestReleaseAt, type VersionCatalog } from '../semantics/version-order'

// Per-project releases, first-seen times and minimum-version history, cached
// briefly: every ingest answer needs `latest` and `minSupported`, and a
// query per request would cost more than the insert it answers.

const TTL_MS = 3_000

export interface ProjectCatalog extends VersionCatalog {
  minSupportedChanges: readonly MinSupportedChange[]
  loadedAt: number
}

interface CacheEntry {
  /** The staleness mark when the entry was made: a newer mark replaces the entry, in-flight load and all. */
  generation: number
  value?: ProjectCatalog
  loading?: Promise<ProjectCatalog>
}

const cache = () => processSingleton('catalogCache', () => new Map<string, CacheEntry>())

export async function loadCatalog(projectId: string): Promise<ProjectCatalog> {
  const [releases, firstSeen, minSupportedChanges] = await Promise.all([
    listReleases(projectId),
    listFirstSeen(projectId),
    listMinSupportedChanges(projectId),
  ])
  return { releases, firstSeen, minSupportedChanges, loadedAt: Date.now() }
}

export async function catalogFor(projectId: string): Promise<ProjectCatalog> {
  const entries = cache()
  const generation = catalogGeneration(projectId)
  let entry = entries.get(projectId)
  if (!entry || entry.generation !== generation) {
    entry = { generation }
    entries.set(projectId, entry)
  }
  if (entry.value && Date.now() - entry.value.loadedAt < TTL_MS) return entry.value
  if (!entry.loading) {
    const current = entry
    current.loading = loadCatalog(projectId).finally(() => {
      current.loading = undefined
    })
    current.value = await current.loading
    return current.value
  }
  return entry.value ?? (await entry.loading)
}

export function minSupportedAt(catalog: ProjectCatalog, at: number): string | null {
  let current: string | null = null
  for (const change of catalog.minSupportedChanges) if (change.changedAt <= at) current = change.version
  return current
}

export interface UpdateAdvice {
  latest: string | null
  minSupported: string | null
  /** The client's version is ordered before the minimum supported version. */
  belowMinimum: boolean
}

export function updateAdvice(catalog: ProjectCatalog, clientVersion: string, at: number): UpdateAdvice {
  // A version the catalog has not seen yet is the client's first report: it is
  // being stored now (or is in the ingest log, or the catalog's cache is older
  // than it), so it counts as first seen at `at`. Without registered releases
  // that makes it the latest, rather than telling its first tabs that the
  // version they replace is the one to update to.
  const withClient: VersionCatalog = catalog.firstSeen.has(clientVersion)
    ? catalog
    : { releases: catalog.releases, firstSeen: new Map([...catalog.firstSeen, [clientVersion, at]]) }
  const latest = latestReleaseAt(withClient, at)?.version ?? null
  const minSupported = minSupportedAt(catalog, at)
  const belowMinimum = minSupported !== null && isOrderedBefore(withClient, clientVersion, minSupported, at)
  return { latest, minSupported, belowMinimum }
}
