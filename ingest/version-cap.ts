// A cap on distinct versions per project, against cardinality floods: every
// new version string costs a row in version_first_seen and a series on every
// chart. A version already stored always passes; a new one passes while the
// project has fewer than `maxVersions`. Versions admitted here since the
// stored list was loaded are remembered, so a burst of new versions cannot
// slip past the cap between loads. Per node, like the rate limits.
//
// It keeps its own copy of the stored list rather than the release catalog's
// cache: loading that cache here, before the insert, would leave the answer's
// `latest` without the version being stored by this very request.

const RELOAD_MS = 1_000

interface ProjectVersions {
  stored: ReadonlySet<string>
  loadedAt: number
  admitted: Set<string>
  loading?: Promise<void>
}

export class VersionCap {
  private readonly projects = new Map<string, ProjectVersions>()

  constructor(
    private readonly maxVersions: number,
    /** The versions stored for a project (keys of version_first_seen). */
    private readonly load: (projectId: string) => Promise<Iterable<string>>,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(projectId: string, version: string): Promise<boolean> {
    let entry = this.projects.get(projectId)
    if (entry && (entry.stored.has(version) || entry.admitted.has(version))) return true
    // Unknown here: reload the stored list, at most once a second per project,
    // so a flood of new versions costs one query a second, not one each.
    if (!entry || this.now() - entry.loadedAt >= RELOAD_MS) entry = await this.reload(projectId)
    if (entry.stored.has(version) || entry.admitted.has(version)) return true
    if (entry.stored.size + entry.admitted.size >= this.maxVersions) return false
    entry.admitted.add(version)
    return true
  }

  private async reload(projectId: string): Promise<ProjectVersions> {
    let entry = this.projects.get(projectId)
    if (!entry) {
      entry = { stored: new Set(), loadedAt: 0, admitted: new Set() }
      this.projects.set(projectId, entry)
    }
    const current = entry
    current.loading ??= (async () => {
      try {
        const stored = new Set(await this.load(projectId))
        current.stored = stored
        current.loadedAt = this.now()
        for (const v of current.admitted) if (stored.has(v)) current.admitted.delete(v)
      } finally {
        current.loading = undefined
      }
    })()
    await current.loading
    return current
  }
}
