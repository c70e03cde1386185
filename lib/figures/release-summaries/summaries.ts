import { adoptionAt, sessionsBefore, timeToShare } from '../../semantics/rollout'
import { catalogKeyThrough } from '../../releases/catalog-key'
import { STRAGGLER_GRACE_MS } from '../../semantics/rollout'
import { throughFor } from '../rollup-edge'
import type { LatestRelease } from '../../semantics/version-order'
import type { ChartContext } from '../chart-context'
import { liveAtInstants } from '../stragglers/read'
import { addUpgrades, releaseFiguresKey, storedReleaseFigures, type StoredReleaseFigures } from './read-stored'
import { releaseTimeTo } from '../time-to/read'
import { reloadUpgrades, type ReloadUpgrades } from '../upgrades-by-reload/read'
import { reloadUpgradesSince } from '../upgrades-by-reload/read-since'

// The releases list: for each release, adoption now, time to 50/90/99 %,
// stragglers at releasedAt + grace and sessions upgraded by reload, by reason
// (docs/semantics.md, Rollout).
//
// Time to X % and upgrades up to the rollup's edge come from the figures the
// rollup run stored for that edge (release_figures); only the minutes after
// it are computed here: time to a share not reached yet, and sessions that
// upgraded since. The edge is at most a run (20 s) and a minute behind, so
// the minute boundaries after it are one or two: their live sessions are
// read with "now" in one round trip, and time to X % there is the same pure
// function the charts use. Without stored figures for the edge and catalog
// the page sees (a release registered seconds ago, a run that has not
// finished), a release's figures are computed from the minute rollups. The
// figures are keyed by the catalog up to the edge, so a release registered
// now, or a version first seen since the edge, does not make every release's
// figures fall back to that search until the next run (it did, for 1-2 s per
// page at 100,000 tabs, in the minutes of every release).

export const DEFAULT_GRACE_MS = STRAGGLER_GRACE_MS
export const TARGET_SHARES = [0.5, 0.9, 0.99] as const
/** Time to X % is searched only for releases this recent. */
export const TIME_TO_HORIZON_MS = 7 * 24 * 3600_000
/** The releases list shows this many latest releases. */
export const RELEASES_LISTED = 20
const MINUTE = 60_000
/** More boundaries after the edge than this (the rollup is behind): search them in SQL instead. */
const MAX_TAIL_BOUNDARIES = 5

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
  const through = await throughFor(ctx.projectId, ctx.source)
  const boundaries = through > 0 ? boundariesAfter(through, at) : null
  // Now, each release's releasedAt + grace that has passed, and the boundaries after the edge: one round trip.
  const graceInstants = releases.map((r) => r.releasedAt + grace).filter((t) => t <= at)
  const [live, figures] = await Promise.all([
    liveAtInstants({ projectId: ctx.projectId, instants: [...new Set([at, ...graceInstants, ...(boundaries ?? [])])], windowSeconds: ctx.windowSeconds, source: ctx.source }),
    timeToAndUpgrades(ctx, releases, searched, at, through, boundaries === null),
  ])
  const nowCounts = live.get(at)!

  return releases.map((release): ReleaseSummary => {
    const stragglersAt = release.releasedAt + grace
    const atGrace = stragglersAt <= at ? live.get(stragglersAt)! : null
    const found = figures.timeTo.get(release)
    // A share the stored figures did not see reached: at the boundaries after the edge.
    const points = figures.stored.has(release) ? (boundaries ?? []).map((m) => adoptionAt(ctx.catalog, live.get(m)!, release.version, m)) : []
    const [to50, to90, to99] = found ? TARGET_SHARES.map((share, i) => found[i] ?? timeToShare(points, release, share)) : [null, null, null]
    return {
      version: release.version,
      releasedAt: release.releasedAt,
      implicit: release.implicit,
      adoptionNow: adoptionAt(ctx.catalog, nowCounts, release.version, at).ratio,
      timeTo: { '50': to50 ?? null, '90': to90 ?? null, '99': to99 ?? null },
      stragglers: atGrace ? sessionsBefore(ctx.catalog, atGrace, release.version, stragglersAt) : null,
      upgradedByReload: figures.upgrades.get(release.version)!,
    }
  })
}

/** The minute boundaries in (through, at], or null when there are too many to read one by one. */
function boundariesAfter(through: number, at: number): number[] | null {
  const boundaries: number[] = []
  for (let m = through + MINUTE; m <= at; m += MINUTE) {
    if (boundaries.length === MAX_TAIL_BOUNDARIES) return null
    boundaries.push(m)
  }
  return boundaries
}

interface TimeToAndUpgrades {
  /** Per searched release, ms after it per target share; for releases in `stored`, null where the stored figures had not reached it and no SQL search was asked for. */
  timeTo: Map<LatestRelease, (number | null)[]>
  /** Releases whose time to X % up to the edge is known without a search (stored by the rollup, or released after the edge). */
  stored: Set<LatestRelease>
  upgrades: Map<string, ReloadUpgrades>
}

const NO_UPGRADES: ReloadUpgrades = { total: 0, byReason: [] }

/**
 * Stored figures at the rollup's edge plus, for upgrades, what came after it;
 * everything in full for releases without stored figures. Two cases need no
 * stored figures and no search before the edge: a release after the edge
 * reached no share before it, and a version first seen at or after the edge
 * (a version is first seen by its earliest event) had no load before it. So
 * a release registered in the last minute costs only the minutes after the
 * edge, like the others, instead of a search of all its history.
 */
async function timeToAndUpgrades(
  ctx: ChartContext,
  releases: LatestRelease[],
  searched: LatestRelease[],
  at: number,
  through: number,
  searchTailInSql: boolean,
): Promise<TimeToAndUpgrades> {
  const edgeKnown = through > 0 && at >= through
  const figures = edgeKnown
    ? await storedReleaseFigures({ projectId: ctx.projectId, windowSeconds: ctx.windowSeconds, catalogKey: catalogKeyThrough(ctx.catalog, through), through })
    : new Map<string, StoredReleaseFigures>()
  const storedTimeTo = (r: LatestRelease): (number | null)[] | undefined =>
    figures.get(releaseFiguresKey(r))?.timeTo ?? (edgeKnown && r.releasedAt > through ? TARGET_SHARES.map(() => null) : undefined)
  const storedUpgrades = new Map<string, ReloadUpgrades>()
  for (const r of releases) {
    const known = figures.get(releaseFiguresKey(r))?.upgraded ?? (edgeKnown && (ctx.catalog.firstSeen.get(r.version) ?? Infinity) >= through ? NO_UPGRADES : undefined)
    if (known && !storedUpgrades.has(r.version)) storedUpgrades.set(r.version, known)
  }
  const stored = new Set(releases.filter((r) => storedTimeTo(r)))
  const fullSearch = searched.filter((r) => !stored.has(r))
  const tailSearch = searchTailInSql ? searched.filter((r) => storedTimeTo(r)?.some((t) => t === null)) : []
  const fullVersions = [...new Set(releases.map((r) => r.version))].filter((v) => !storedUpgrades.has(v))
  const storedVersions = [...storedUpgrades.keys()]
  const query = { projectId: ctx.projectId, shares: TARGET_SHARES, at, windowSeconds: ctx.windowSeconds, catalog: ctx.catalog, source: ctx.source }
  const [fullTimes, tailTimes, fullUpgrades, newUpgrades] = await Promise.all([
    releaseTimeTo({ ...query, releases: fullSearch }),
    releaseTimeTo({ ...query, releases: tailSearch, searchFrom: through + MINUTE }),
    reloadUpgrades({ projectId: ctx.projectId, versions: fullVersions, catalog: ctx.catalog, source: ctx.source }),
    reloadUpgradesSince({ projectId: ctx.projectId, versions: storedVersions, catalog: ctx.catalog, since: through }),
  ])
  const timeTo = new Map<LatestRelease, (number | null)[]>()
  fullSearch.forEach((r, i) => timeTo.set(r, fullTimes[i]!))
  for (const r of searched.filter((r) => stored.has(r))) {
    const tail = tailTimes[tailSearch.indexOf(r)]
    timeTo.set(r, storedTimeTo(r)!.map((t, i) => t ?? tail?.[i] ?? null))
  }
  const upgrades = new Map(fullUpgrades)
  for (const [version, known] of storedUpgrades) upgrades.set(version, addUpgrades(known, newUpgrades.get(version)!))
  return { timeTo, stored, upgrades }
}
