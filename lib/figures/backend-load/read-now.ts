import { catalogFor } from '../../releases/catalog'
import { perSecond, requestsPerTab } from '../../semantics/backend-load'
import { isStale } from '../../semantics/rollout'
import { latestReleaseAt } from '../../semantics/version-order'
import { backendLoadMinutes } from './read-minutes'
import { backendTabMinutes } from './read-tab-minutes'

// Backend load "now" for /api/metrics and the alerts: the latest minute whose
// counts have all arrived. The middleware sends every 10 s and gives a send
// up after 5 s, so a minute is complete SETTLE_MS after it ends; the minute
// before that is the newest one a figure can state without undercounting.

export const SETTLE_MS = 15_000
const MINUTE = 60_000

/** Start of the latest minute that ended at least SETTLE_MS before `at`. */
export function settledMinute(at: number): number {
  return Math.floor((at - SETTLE_MS) / MINUTE) * MINUTE - MINUTE
}

export interface BackendLoadNowParams {
  projectId: string
  at: number
  windowSeconds: number
}

export interface BackendLoadNowRow {
  /** A version, or `unknown` / `other`. */
  version: string
  requestsPerSecond: number
  serverErrorsPerSecond: number
  reconnectsPerMinute: number
  /** Live sessions on the version at the end of the minute. */
  liveTabs: number
  /** Requests per live tab in the minute; null when no tab of it was live (and for `unknown` / `other`). */
  requestsPerTab: number | null
  /** Ordered before the latest release at the end of the minute. */
  stale: boolean
}

export interface BackendLoadNow {
  /** The minute [minute, minute + 60 s) the figures are for. */
  minute: number
  versions: BackendLoadNowRow[]
  /** Requests per second from stale versions. */
  staleRequestsPerSecond: number
}

export async function backendLoadNow(params: BackendLoadNowParams): Promise<BackendLoadNow> {
  const minute = settledMinute(params.at)
  const end = minute + MINUTE
  const [load, cells, catalog] = await Promise.all([
    backendLoadMinutes({ projectId: params.projectId, from: minute, to: end }),
    backendTabMinutes({ projectId: params.projectId, from: minute, to: end, windowSeconds: params.windowSeconds }),
    catalogFor(params.projectId),
  ])
  const latest = latestReleaseAt(catalog, end)
  const rows = new Map<string, BackendLoadNowRow>()
  const row = (version: string) => {
    let r = rows.get(version)
    if (!r) {
      r = { version, requestsPerSecond: 0, serverErrorsPerSecond: 0, reconnectsPerMinute: 0, liveTabs: 0, requestsPerTab: null, stale: isStale(catalog, version, end, latest) }
      rows.set(version, r)
    }
    return r
  }
  // Counted in whole requests, turned into rates once.
  const counts = new Map<string, { requests: number; errors: number }>()
  for (const l of load) {
    const r = row(l.version)
    const n = counts.get(l.version) ?? { requests: 0, errors: 0 }
    n.requests += l.requests
    n.errors += l.serverErrors
    counts.set(l.version, n)
    if (l.kind === 'ws_reconnect') r.reconnectsPerMinute += l.requests
  }
  for (const [version, n] of counts) {
    const r = row(version)
    r.requestsPerSecond = perSecond(n.requests, 1)
    r.serverErrorsPerSecond = perSecond(n.errors, 1)
  }
  for (const c of cells) {
    if (c.requests === 0 && !rows.has(c.version)) continue
    const r = row(c.version)
    r.liveTabs = c.liveTabs
    r.requestsPerTab = requestsPerTab([c])
  }
  const versions = [...rows.values()].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || (a.version < b.version ? -1 : 1))
  const staleRequests = [...counts].reduce((sum, [version, n]) => sum + (rows.get(version)!.stale ? n.requests : 0), 0)
  return { minute, versions, staleRequestsPerSecond: perSecond(staleRequests, 1) }
}

export interface RecentLoadParams {
  projectId: string
  at: number
  /** Minutes before the settled one to read as well (an alert's baseline). */
  before?: number
  kinds?: Parameters<typeof backendLoadMinutes>[0]['kinds']
}

export interface RecentLoad {
  settled: number
  /** Minutes after the settled one up to the one `at` falls in: their counts so far, which only grow. */
  filling: number[]
  rows: Awaited<ReturnType<typeof backendLoadMinutes>>
}

/** Counts per minute and version from `before` minutes before the settled minute up to the minute of `at`. */
export async function recentLoad(params: RecentLoadParams): Promise<RecentLoad> {
  const settled = settledMinute(params.at)
  const current = Math.floor(params.at / MINUTE) * MINUTE
  const rows = await backendLoadMinutes({ projectId: params.projectId, from: settled - (params.before ?? 0) * MINUTE, to: current + MINUTE, kinds: params.kinds })
  const filling: number[] = []
  for (let m = settled + MINUTE; m <= current; m += MINUTE) filling.push(m)
  return { settled, filling, rows }
}
