import { processSingleton } from '../process-singleton'
import { listFirstSeen, listMinSupportedChanges, listReleases, type MinSupportedChange } from './release-store'
import { catalogGeneration } from './catalog-staleness'
import { latestReleaseAt, registeredOrder, type VersionCatalog } from '../semantics/version-order'
import { isBelowMinimum } from '../semantics/rollout'

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

/** Whether `version` is a registered release of the project: the only versions a tab is told about (docs/semantics.md, What a tab is told). */
export function isRegistered(catalog: Pick<VersionCatalog, 'releases'>, version: string): boolean {
  return catalog.releases.some((r) => r.version === version)
}

export interface UpdateAdvice {
  latest: string | null
  minSupported: string | null
  /** The client's version is ordered before the minimum supported version. */
  belowMinimum: boolean
}

export function updateAdvice(catalog: ProjectCatalog, clientVersion: string, at: number): UpdateAdvice {
  // What a tab is told rests on registered releases alone (docs/semantics.md,
  // What a tab is told): first-seen times come from whatever the public
  // ingest key reported, so without releases no answer names a latest.
  const latest = latestReleaseAt(registeredOrder(catalog), at)?.version ?? null
  const minSupported = minSupportedAt(catalog, at)
  return { latest, minSupported, belowMinimum: isBelowMinimum(catalog, clientVersion, minSupported, at) }
}
