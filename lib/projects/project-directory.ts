import { processSingleton } from '../process-singleton'
import { secretsEqual, sha256Hex } from '../ids'
import type { Project } from './project'
import { listProjects } from './project-store'
import { listActiveKeys } from './ingest-keys'
import { listActiveServerKeys } from './server-key-rotation'
import { directoryGeneration } from './directory-staleness'

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
  /** By SHA-256 of the server key: current keys, and rotated-out ones in their grace period. */
  byServerKeyHash: Map<string, { project: Project; expiresAt: number }>
  loadedAt: number
  /** The staleness mark this load saw: a write since then reloads at the next lookup. */
  generation: number
  loading?: Promise<void>
}

function directory(): Directory {
  return processSingleton('projectDirectory', (): Directory => ({ byKey: new Map(), graceKeys: new Map(), byId: new Map(), byServerKeyHash: new Map(), loadedAt: 0, generation: -1 }))
}

async function refresh(dir: Directory): Promise<void> {
  dir.loading ??= (async () => {
    try {
      const generation = directoryGeneration()
      const [projects, keys, serverKeys] = await Promise.all([listProjects(), listActiveKeys(), listActiveServerKeys()])
      dir.byKey = new Map(projects.map((p) => [p.ingestKey, p]))
      dir.byId = new Map(projects.map((p) => [p.id, p]))
      dir.graceKeys = new Map()
      for (const k of keys) {
        const project = dir.byId.get(k.projectId)
        if (project && !dir.byKey.has(k.key)) dir.graceKeys.set(k.key, { project, expiresAt: k.expiresAt })
      }
      dir.byServerKeyHash = new Map()
      for (const k of serverKeys) {
        const project = dir.byId.get(k.projectId)
        if (project) dir.byServerKeyHash.set(k.keyHash, { project, expiresAt: k.expiresAt })
      }
      for (const p of projects) if (p.serverKeyHash) dir.byServerKeyHash.set(p.serverKeyHash, { project: p, expiresAt: Infinity })
      dir.loadedAt = Date.now()
      dir.generation = generation
    } finally {
      dir.loading = undefined
    }
  })()
  await dir.loading
}

/** Every project, oldest first, as the directory holds them: within 5 s of another node's writes, at once after this node's. */
export async function allProjects(): Promise<Project[]> {
  const dir = directory()
  if (Date.now() - dir.loadedAt > REFRESH_MS || dir.generation !== directoryGeneration()) await refresh(dir)
  return [...dir.byId.values()]
}

async function lookup(find: (dir: Directory) => Project | undefined): Promise<Project | undefined> {
  const dir = directory()
  const age = Date.now() - dir.loadedAt
  if (age > REFRESH_MS || dir.generation !== directoryGeneration()) await refresh(dir)
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

/** The project whose current (or still valid rotated-out) server key this is; never an ingest key's project. */
export function projectByServerKey(key: string): Promise<Project | undefined> {
  const hash = sha256Hex(key)
  return lookup((dir) => {
    const found = dir.byServerKeyHash.get(hash)
    return found && found.expiresAt > Date.now() ? found.project : undefined
  })
}

export function projectById(id: string): Promise<Project | undefined> {
  return lookup((dir) => dir.byId.get(id))
}

/** The project whose deploy token this is. */
export function projectByDeployToken(token: string): Promise<Project | undefined> {
  const hash = sha256Hex(token)
  return lookup((dir) => [...dir.byId.values()].find((p) => secretsEqual(hash, p.deployTokenHash)))
}

/** The projects called `name` (names need not be unique). */
export async function projectsNamed(name: string): Promise<Project[]> {
  let named: Project[] = []
  await lookup((dir) => (named = [...dir.byId.values()].filter((p) => p.name === name))[0])
  return named
}
