import { adoptionAt, sessionsBefore } from '../charts/adoption'
import { catalogKey } from '../releases/catalog-key'
import { STRAGGLER_GRACE_MS } from '../rollups/live-instants'
import { rollupThrough } from '../rollups/state'
import type { LatestRelease } from '../releases/version-order'
import type { ChartContext } from './chart-context'
import { liveAtInstants } from './live-at-instants'
import { addUpgrades, readReleaseFigures, releaseFiguresKey, type StoredReleaseFigures } from './release-figures'
import { releaseTimeTo } from './release-time-to'
import { reloadUpgrades, type ReloadUpgrades } from './reload-upgrades'
import { reloadUpgradesSince } from './reload-upgrades-since'

// The releases list: for each release, adoption now, time to 50/90/99 %,
// stragglers at releasedAt + grace and sessions upgraded by reload, by reason
// (SEMANTICS, Rollout).
//
// Time to X % and upgrades up to the rollup's edge come from the figures the
// rollup run stored for that edge (release_figures); only the minutes after
// it are computed here: time to a share not reached yet, and sessions that
// upgraded since. Without stored figures for the edge and catalog the page
// sees (a release registered seconds ago, a run that has not finished), a
// release's figures are computed from the minute rollups as before.

export const DEFAULT_GRACE_MS = STRAGGLER_GRACE_MS
export const TARGET_SHARES = [0.5, 0.9, 0.99] as const
/** Time to X % is searched only for releases this recent. */
export const TIME_TO_HORIZON_MS = 7 * 24 * 3600_000
/** The releases list shows this many latest releases. */
export const RELEASES_LISTED = 20
const MINUTE = 60_000

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
  const releases = params.only ? [params.only] : ctx.timeline.filter((r) => r.releasedAt <= at).slice(-RELEASES_LISTED).reverse()
  if (releases.length === 0) return []
  // Time to X % is searched only for releases within the horizon.
  const searched = releases.filter((r) => r.releasedAt >= at - TIME_TO_HORIZON_MS)
  // Now, and each release's releasedAt + grace that has passed: one round trip.
  const graceInstants = releases.map((r) => r.releasedAt + grace).filter((t) => t <= at)
  const livePromise = liveAtInstants({ projectId: ctx.projectId, instants: [...new Set([at, ...graceInstants])], windowSeconds: ctx.windowSeconds, source: ctx.source })
  const [live, { timeTo, upgrades }] = await Promise.all([livePromise, timeToAndUpgrades(ctx, releases, searched, at)])
  const nowCounts = live.get(at)!

  return releases.map((release): ReleaseSummary => {
    const stragglersAt = release.releasedAt + grace
    const atGrace = stragglersAt <= at ? live.get(stragglersAt)! : null
    const [to50, to90, to99] = timeTo.get(release) ?? [null, null, null]
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

interface TimeToAndUpgrades {
  timeTo: Map<LatestRelease, (number | null)[]>
  upgrades: Map<string, ReloadUpgrades>
}

/** Stored figures at the rollup's edge plus what came after it where there are some; computed in full for the other releases. */
async function timeToAndUpgrades(ctx: ChartContext, releases: LatestRelease[], searched: LatestRelease[], at: number): Promise<TimeToAndUpgrades> {
  const through = ctx.source === 'raw' ? 0 : await rollupThrough(ctx.projectId)
  const stored =
    through > 0 && at >= through
      ? await readReleaseFigures({ projectId: ctx.projectId, windowSeconds: ctx.windowSeconds, catalogKey: catalogKey(ctx.catalog), through })
      : new Map<string, StoredReleaseFigures>()
  const figuresOf = (r: LatestRelease) => stored.get(releaseFiguresKey(r))
  const fullSearch = searched.filter((r) => !figuresOf(r))
  // Releases with stored figures: search after the edge only for a share not reached by it.
  const tailSearch = searched.filter((r) => figuresOf(r)?.timeTo.some((t) => t === null))
  const fullVersions = [...new Set(releases.filter((r) => !figuresOf(r)).map((r) => r.version))]
  const storedVersions = [...new Set(releases.filter((r) => figuresOf(r)).map((r) => r.version))].filter((v) => !fullVersions.includes(v))
  const query = { projectId: ctx.projectId, shares: TARGET_SHARES, at, windowSeconds: ctx.windowSeconds, catalog: ctx.catalog, source: ctx.source }
  const [fullTimes, tailTimes, fullUpgrades, newUpgrades] = await Promise.all([
    releaseTimeTo({ ...query, releases: fullSearch }),
    releaseTimeTo({ ...query, releases: tailSearch, searchFrom: through + MINUTE }),
    reloadUpgrades({ projectId: ctx.projectId, versions: fullVersions, catalog: ctx.catalog, source: ctx.source }),
    reloadUpgradesSince({ projectId: ctx.projectId, versions: storedVersions, catalog: ctx.catalog, since: through }),
  ])
  const timeTo = new Map<LatestRelease, (number | null)[]>()
  fullSearch.forEach((r, i) => timeTo.set(r, fullTimes[i]!))
  for (const r of searched.filter((r) => figuresOf(r))) {
    const tail = tailTimes[tailSearch.indexOf(r)]
    timeTo.set(r, figuresOf(r)!.timeTo.map((t, i) => t ?? tail?.[i] ?? null))
  }
  const upgrades = new Map(fullUpgrades)
  for (const version of storedVersions) {
    const first = releases.find((r) => r.version === version && figuresOf(r))!
    upgrades.set(version, addUpgrades(figuresOf(first)!.upgraded, newUpgrades.get(version)!))
  }
  return { timeTo, upgrades }
}
