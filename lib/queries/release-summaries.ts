import { adoptionAt, sessionsBefore } from '../charts/adoption'
import { STRAGGLER_GRACE_MS } from '../rollups/live-instants'
import type { LatestRelease } from '../releases/version-order'
import type { ChartContext } from './chart-context'
import { liveAtInstants } from './live-at-instants'
import { releaseTimeTo } from './release-time-to'
import { reloadUpgrades, type ReloadUpgrades } from './reload-upgrades'

// The releases list: for each release, adoption now, time to 50/90/99 %,
// stragglers at releasedAt + grace and sessions upgraded by reload, by reason
// (SEMANTICS, Rollout).

export const DEFAULT_GRACE_MS = STRAGGLER_GRACE_MS
export const TARGET_SHARES = [0.5, 0.9, 0.99] as const
/** Time to X % is searched this long after a release; older releases report it only if reached within. */
const HORIZON_MS = 7 * 24 * 3600_000
const MAX_RELEASES = 20

export interface ReleaseSummary {
  version: string
  releasedAt: number
  implicit: boolean
  adoptionNow: number | null
  /** ms after releasedAt, per TARGET_SHARES; null if not reached (yet). */
  timeTo: Record<'50' | '90' | '99', number | null>
  /** null until releasedAt + grace has passed. */
  stragglers: number | null
  upgradedByReload: ReloadUpgrades
}

export interface ReleaseSummaryParams {
  at: number
  graceMs?: number
  /** Only this release (the release page); all recent ones otherwise. */
  only?: LatestRelease
}

export async function releaseSummaries(ctx: ChartContext, params: ReleaseSummaryParams): Promise<ReleaseSummary[]> {
  const grace = params.graceMs ?? DEFAULT_GRACE_MS
  const at = params.at
  const releases = params.only ? [params.only] : ctx.timeline.filter((r) => r.releasedAt <= at).slice(-MAX_RELEASES).reverse()
  if (releases.length === 0) return []
  // Time to X % is searched only for releases within the horizon.
  const searched = releases.filter((r) => r.releasedAt >= at - HORIZON_MS)
  // Now, and each release's releasedAt + grace that has passed: one round trip.
  const graceInstants = releases.map((r) => r.releasedAt + grace).filter((t) => t <= at)
  const [live, timeTo, upgrades] = await Promise.all([
    liveAtInstants({ projectId: ctx.projectId, instants: [...new Set([at, ...graceInstants])], windowSeconds: ctx.windowSeconds, source: ctx.source }),
    releaseTimeTo({ projectId: ctx.projectId, releases: searched, shares: TARGET_SHARES, at, windowSeconds: ctx.windowSeconds, catalog: ctx.catalog, source: ctx.source }),
    reloadUpgrades({ projectId: ctx.projectId, versions: [...new Set(releases.map((r) => r.version))], catalog: ctx.catalog, source: ctx.source }),
  ])
  const nowCounts = live.get(at)!

  return releases.map((release): ReleaseSummary => {
    const stragglersAt = release.releasedAt + grace
    const atGrace = stragglersAt <= at ? live.get(stragglersAt)! : null
    const [to50, to90, to99] = timeTo[searched.indexOf(release)] ?? [null, null, null]
    return {
      version: release.version,
      releasedAt: release.releasedAt,
      implicit: release.implicit,
      adoptionNow: adoptionAt(ctx.catalog, nowCounts, release.version, at).ratio,
      timeTo: { '50': to50 ?? null, '90': to90 ?? null, '99': to99 ?? null },
      stragglers: atGrace ? sessionsBefore(ctx.catalog, atGrace, release.version, stragglersAt) : null,
      upgradedByReload: upgrades.get(release.version)!,
    }
  })
}
