import { backendLoadMinutes } from '../figures/backend-load/read-minutes'
import { liveSessions } from '../figures/live-sessions/read-now'
import type { Project } from '../projects/project'
import { catalogFor } from '../releases/catalog'
import { adoptionAt } from '../semantics/rollout'
import { isOrderedBefore, latestReleaseAt } from '../semantics/version-order'
import type { GateAnswer } from '../../sdk/src/wire'

// What a release gate in CI asks of the fleet (`stalewatch wait` and
// `stalewatch check`, docs/release-gates.md): how far the latest release is
// adopted now, and how many live tabs (and, where the app's servers count
// backend load, how many requests in the last hour) come from builds older
// than a given version. Every number is read through its figure's folder, as
// the overview reads it, so the gate and the dashboard cannot disagree.

const MINUTE = 60_000

export interface GateParams {
  project: Project
  at: number
  /** Measure the builds ordered before this version. */
  below?: string
  /** The window of backend requests counted for `below`, in minutes (default 60). */
  requestsMinutes?: number
}

/** The gate's answer: its type is the SDK's, which owns the wire protocol. */
export type GateMeasurement = GateAnswer

export async function measureGate(params: GateParams): Promise<GateMeasurement> {
  const { project, at } = params
  const [live, catalog] = await Promise.all([
    liveSessions({ projectId: project.id, at, windowSeconds: project.livenessWindowSeconds }),
    catalogFor(project.id),
  ])
  const counts = new Map(live.versions.map((v) => [v.version, v.sessions]))
  const latest = latestReleaseAt(catalog, at)
  const adoption = latest ? adoptionAt(catalog, counts, latest.version, at) : null
  const out: GateMeasurement = {
    project: project.id,
    at,
    live: live.total,
    latest: latest
      ? { version: latest.version, releasedAt: latest.releasedAt, registered: !latest.implicit, adoption: adoption?.ratio ?? null, adopted: adoption?.adopted ?? 0 }
      : null,
    ...(live.approximate ? { approximate: true } : {}),
  }
  if (params.below !== undefined) {
    const version = params.below
    const known = catalog.firstSeen.has(version) || catalog.releases.some((r) => r.version === version)
    const older = live.versions.filter((v) => known && isOrderedBefore(catalog, v.version, version, at))
    const olderSet = new Set(older.map((v) => v.version))
    const requestsMinutes = params.requestsMinutes ?? 60
    const to = Math.floor(at / MINUTE) * MINUTE + MINUTE
    const load = await backendLoadMinutes({ projectId: project.id, from: to - requestsMinutes * MINUTE, to })
    const olderLive = older.reduce((sum, v) => sum + v.sessions, 0)
    out.below = {
      version,
      known,
      live: olderLive,
      share: live.total > 0 ? olderLive / live.total : null,
      versions: older.map((v) => ({ version: v.version, sessions: v.sessions })).sort((a, b) => b.sessions - a.sessions),
      requests: load.length === 0 ? null : load.reduce((sum, row) => sum + (olderSet.has(row.version) ? row.requests : 0), 0),
      requestsMinutes,
    }
  }
  return out
}
