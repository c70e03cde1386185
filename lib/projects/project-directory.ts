import type { Project } from './project'

// In-memory view of the (small) projects table for the hot path: ingest looks
// a key up on every request. Refreshed on a short interval so projects
// created on another node appear within seconds, and at most once a second on
// a miss, so a flood of unknown keys cannot turn into a flood of queries.

const REFRESH_MS = 5_000
const MISS_REFRESH_MS = 1_000

interface Directory {
  byKey: Map<string, Project>
  /** Rotated-out keys still in their grace period, with their expiry. */
  graceKeys: Map<string, { project: Project; expiresAt: number }>
  byId: Map<string, Project>
  loadedAt: number
  loading?: Promise<void>
}

const DIRECTORY_KEY = Symbol.for('stalewatch.projectDirectory')
type Holder = { [DIRECTORY_KEY]?: Directory }

function directory(): Directory {
  const holder = globalThis as Holder
  holder[DIRECTORY_KEY] ??= { byKey: new Map(), graceKeys: new Map(), byId: new Map(), loadedAt: 0 }
  return holder[DIRECTORY_KEY]
}

async function refresh(dir: Directory): Promise<void> {
  dir.loading ??= (async () => {
    try {
      // Imported here to keep this module free of a cycle with project-store.
      const { listProjects } = await import('./project-store')
      const { listActiveKeys } = await import('./ingest-keys')
      const [projects, keys] = await Promise.all([listProjects(), listActiveKeys()])
      dir.byKey = new Map(projects.map((p) => [p.ingestKey, p]))
      dir.byId = new Map(projects.map((p) => [p.id, p]))
      dir.graceKeys = new Map()
      for (const k of keys) {
        const project = dir.byId.get(k.projectId)
        if (project && !dir.byKey.has(k.key)) dir.graceKeys.set(k.key, { project, expiresAt: k.expiresAt })
      }
      dir.loadedAt = Date.now()
    } finally {
      dir.loading = undefined
    }
  })()
  await dir.loading
}

async function lookup(find: (dir: Directory) => Project | undefined): Promise<Project | undefined> {
  const dir = directory()
  const age = Date.now() - dir.loadedAt
  if (age > REFRESH_MS) await refresh(dir)
  const found = find(dir)
  if (found || Date.now() - dir.loadedAt < MISS_REFRESH_MS) return found
  await refresh(dir)
  return find(dir)
}

export function projectByIngestKey(key: string): Promise<Project | undefined> {
  return lookup((dir) => {
    const current = dir.byKey.get(key)
    if (current) return current
    const grace = dir.graceKeys.get(key)
    // Checked at lookup, not load: the directory may be seconds old.
    return grace && grace.expiresAt > Date.now() ? grace.project : undefined
  })
}

export function projectById(id: string): Promise<Project | undefined> {
  return lookup((dir) => dir.byId.get(id))
}

/** The projects called `name` (names need not be unique). */
export async function projectsNamed(name: string): Promise<Project[]> {
  let named: Project[] = []
  await lookup((dir) => (named = [...dir.byId.values()].filter((p) => p.name === name))[0])
  return named
}

export function invalidateProjectDirectory(): void {
  directory().loadedAt = 0
}
