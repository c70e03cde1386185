import { catalogFor, minSupportedAt } from '../../releases/catalog'
import { isOrderedBefore, latestReleaseAt, type LatestRelease } from '../../semantics/version-order'
import { liveSessions } from '../live-sessions/read-now'

// Live sessions at one instant, each version classed as stale (ordered before
// the latest release at t) and/or below the minimum supported version at t
// (SEMANTICS, Rollout). Alerts and /api/metrics read stale share from here, so
// both agree with the dashboard, which classes versions the same way.

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
    stale: latest !== null && isOrderedBefore(catalog, v.version, latest.version, params.at),
    belowMinimum: minSupported !== null && isOrderedBefore(catalog, v.version, minSupported, params.at),
  }))
  const staleSessions = versions.reduce((sum, v) => sum + (v.stale ? v.sessions : 0), 0)
  const belowMinimumSessions = versions.reduce((sum, v) => sum + (v.belowMinimum ? v.sessions : 0), 0)
  return {
    at: params.at,
    total: live.total,
    staleSessions,
    belowMinimumSessions,
    staleShare: live.total > 0 ? staleSessions / live.total : null,
    latest,
    minSupported,
    versions,
  }
}
