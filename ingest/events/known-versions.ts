// The versions a project knows: those its tabs reported (version_first_seen)
// and those it registered as releases. The version on an app request is
// whatever the client put in a header, so anyone can make the app's servers
// count made-up versions; an aggregate's version is kept only when the
// project knows it, and is otherwise counted as `unknown` (docs/backend-load.md).
//
// Cached per project; a version not in the cache reloads it at most once a
// second, so a flood of made-up versions costs one query a second. When a
// reload fails the last list is kept; with none, the caller answers 503.

const RELOAD_MS = 1_000
const MAX_AGE_MS = 10_000

interface Entry {
  versions: ReadonlySet<string>
  loadedAt: number
  /** No reload before this (set after a failed one). */
  retryAt: number
  loading?: Promise<void>
}

export class KnownVersions {
  private readonly projects = new Map<string, Entry>()

  constructor(
    private readonly load: (projectId: string) => Promise<Iterable<string>>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The project's known versions, fresh enough to judge `versions`. */
  async forProject(projectId: string, versions: Iterable<string>): Promise<ReadonlySet<string>> {
    const entry = this.projects.get(projectId)
    if (!entry) return (await this.reload(projectId)).versions
    const now = this.now()
    const age = now - entry.loadedAt
    const missing = () => [...versions].some((v) => !entry.versions.has(v))
    if (now >= entry.retryAt && (age >= MAX_AGE_MS || (age >= RELOAD_MS && missing()))) await this.reload(projectId)
    return entry.versions
  }

  private async reload(projectId: string): Promise<Entry> {
    const existing = this.projects.get(projectId)
    const entry: Entry = existing ?? { versions: new Set(), loadedAt: -Infinity, retryAt: -Infinity }
    entry.loading ??= (async () => {
      try {
        entry.versions = new Set(await this.load(projectId))
        entry.loadedAt = this.now()
        this.projects.set(projectId, entry)
      } catch (error) {
        // An outage keeps the last list; without one there is nothing to judge by.
        entry.retryAt = this.now() + RELOAD_MS
        if (!existing) throw error
      } finally {
        entry.loading = undefined
      }
    })()
    await entry.loading
    return entry
  }
}
