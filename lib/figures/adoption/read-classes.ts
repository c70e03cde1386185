import { catalogFor, minSupportedAt } from '../../releases/catalog'
import { isBelowMinimum, isStale, staleShareAt } from '../../semantics/rollout'
import { latestReleaseAt, type LatestRelease } from '../../semantics/version-order'
import { liveSessions } from '../live-sessions/read-now'

// Live sessions at one instant, each version classed as stale and/or below
// the minimum supported version at t (docs/semantics.md, Rollout; Minimum
// version and reload waves). Alerts and /api/metrics read stale share from
// here, through the same arithmetic (lib/semantics/rollout.ts) the dashboard
// draws with.

export interface LiveClassesParams {
  projectId: string
  at: number
  windowSeconds: number
}

export interface LiveClassRow {
  version: string
  sessions: number
  visible: number
  hidden: number
  stale: boolean
  belowMinimum: boolean
}

export interface LiveClasses {
  at: number
  total: number
  staleSessions: number
  belowMinimumSessions: number
  /** stale / live; null (undefined, not 0) when nothing is live. */
  staleShare: number | null
  latest: LatestRelease | null
  minSupported: string | null
  versions: LiveClassRow[]
}

export async function liveClasses(params: LiveClassesParams): Promise<LiveClasses> {
  const [live, catalog] = await Promise.all([liveSessions(params), catalogFor(params.projectId)])
  const latest = latestReleaseAt(catalog, params.at)
  const minSupported = minSupportedAt(catalog, params.at)
  const versions = live.versions.map((v) => ({
    ...v,
    stale: isStale(catalog, v.version, params.at, latest),
    belowMinimum: isBelowMinimum(catalog, v.version, minSupported, params.at),
  }))
  // The overview's own function: the stale share an alert sees is the one the page shows.
  const stale = staleShareAt(catalog, new Map(live.versions.map((v) => [v.version, v.sessions])), params.at)
  const belowMinimumSessions = versions.reduce((sum, v) => sum + (v.belowMinimum ? v.sessions : 0), 0)
  return {
    at: params.at,
    total: live.total,
    staleSessions: stale.stale,
    belowMinimumSessions,
    staleShare: stale.ratio,
    latest,
    minSupported,
    versions,
  }
}
