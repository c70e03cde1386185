import { adoptionAt, staleShareAt, versionStatus, type VersionStatus } from '../semantics/rollout'
import { latestReleaseAt } from '../semantics/version-order'
import { registeredVersions, type ChartContext } from './chart-context'
import { liveMinutes } from './live-sessions/read-minutes'
import { liveSessions } from './live-sessions/read-now'
import { versionSeen } from '../releases/versions-seen'
import { versionTabAges } from './live-sessions/read-tab-ages'
import type { Approximation } from './live-sessions/sample'

// The overview's figures: live now, stale share now and an hour ago, the
// latest release with its adoption, and the versions table.

export interface OverviewVersionRow {
  version: string
  sessions: number
  visible: number
  hidden: number
  medianTabAgeMs: number | null
  firstSeen: number | null
  lastSeen: number | null
  status: VersionStatus
}

export interface ProjectOverview {
  at: number
  windowSeconds: number
  liveTotal: number
  staleSessions: number
  /** Of staleSessions, those on versions no deploy token or admin registered: what the public ingest key alone reports. */
  staleUnregistered: number
  /** null when nothing is live. */
  staleShare: number | null
  staleShareHourAgo: number | null
  latest: { version: string; releasedAt: number; implicit: boolean; adoption: number | null; adopted: number } | null
  versions: OverviewVersionRow[]
  /** Present only above the exact limit (docs/semantics.md, Accuracy): which figures come from a sample of sessions, and how close they are. */
  approximate?: Approximation & { figures: string[] }
}

/** The overview's figures that come from the sample when there is one; the rest (first and last seen, the hour-ago share) stay exact. */
export const SAMPLED_FIGURES = ['live sessions now', 'stale share now', 'stale sessions now', 'adoption of the latest release', 'live, visible and hidden sessions per version', 'median tab age per version']

const HOUR = 3600_000

export async function projectOverview(ctx: ChartContext, at: number): Promise<ProjectOverview> {
  const hourAgo = Math.floor((at - HOUR) / 60_000) * 60_000
  const [live, ages, seen, earlier] = await Promise.all([
    liveSessions({ projectId: ctx.projectId, at, windowSeconds: ctx.windowSeconds }),
    versionTabAges({ projectId: ctx.projectId, at, windowSeconds: ctx.windowSeconds }),
    versionSeen({ projectId: ctx.projectId }),
    liveMinutes({ projectId: ctx.projectId, from: hourAgo, to: hourAgo, windowSeconds: ctx.windowSeconds, source: ctx.source }),
  ])
  const counts = new Map(live.versions.map((v) => [v.version, v.sessions]))
  const latest = latestReleaseAt(ctx.catalog, at)
  const stale = staleShareAt(ctx.catalog, counts, at)
  const registered = registeredVersions(ctx)
  const unregistered = new Map([...counts].filter(([version]) => !registered.has(version)))
  const staleUnregistered = staleShareAt(ctx.catalog, unregistered, at).stale
  const hourAgoShare = staleShareAt(ctx.catalog, new Map(earlier.map((r) => [r.version, r.sessions])), hourAgo).ratio
  const adoption = latest ? adoptionAt(ctx.catalog, counts, latest.version, at) : null
  const ageOf = new Map(ages.map((a) => [a.version, a.medianTabAgeMs]))
  const seenOf = new Map(seen.map((s) => [s.version, s]))
  const overview: ProjectOverview = {
    at,
    windowSeconds: ctx.windowSeconds,
    liveTotal: live.total,
    staleSessions: stale.stale,
    staleUnregistered,
    staleShare: stale.ratio,
    staleShareHourAgo: hourAgoShare,
    latest: latest ? { ...latest, adoption: adoption?.ratio ?? null, adopted: adoption?.adopted ?? 0 } : null,
    versions: live.versions.map((v) => ({
      ...v,
      medianTabAgeMs: ageOf.get(v.version) ?? null,
      firstSeen: seenOf.get(v.version)?.firstSeen ?? null,
      lastSeen: seenOf.get(v.version)?.lastSeen ?? null,
      status: versionStatus(ctx.catalog, v.version, at),
    })),
  }
  if (live.approximate) overview.approximate = { ...live.approximate, figures: SAMPLED_FIGURES }
  return overview
}
