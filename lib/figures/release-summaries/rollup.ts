import { catalogKeyThrough } from '../../releases/catalog-key'
import { releaseTimeline, type VersionCatalog } from '../../semantics/version-order'
import { RELEASES_LISTED, TARGET_SHARES, TIME_TO_HORIZON_MS } from './summaries'
import { releaseTimeTo } from '../time-to/read'
import { reloadUpgrades } from '../upgrades-by-reload/read'
import { store } from '../../store/client'
import { backgroundCommand } from '../../store/background'
import { qualified } from '../../store/tables'
import type { RollupEdge, RollupStep } from '../rollup-step'
import { releaseFiguresTable } from './table'

// After a run finalises minutes up to `through`, it stores each listed
// release's time to X % and sessions upgraded by reload up to that edge
// (./table.ts), computed by the same query functions the releases page
// runs, on the background connection. The page then adds only what happened
// after the edge.

/** Stores the figures of the latest releases at this edge, under the key of the catalog as it stood up to the edge (they hold as long as that part of it does). */
async function rollupReleaseFigures(projectId: string, windowSeconds: number, through: number, catalog: VersionCatalog): Promise<number> {
  const releases = releaseTimeline(catalog)
    .filter((r) => r.releasedAt <= through)
    .slice(-RELEASES_LISTED)
  if (releases.length === 0) return 0
  const client = store().background
  const searched = releases.filter((r) => r.releasedAt >= through - TIME_TO_HORIZON_MS)
  const timeTo = await releaseTimeTo({ projectId, releases: searched, shares: TARGET_SHARES, at: through, windowSeconds, catalog, through, client })
  const upgrades = await reloadUpgrades({ projectId, versions: [...new Set(releases.map((r) => r.version))], catalog, finalisedThrough: through, client })
  const figures = releases.map((r) => ({ release: r, timeTo: timeTo[searched.indexOf(r)] ?? TARGET_SHARES.map(() => null), upgraded: upgrades.get(r.version)! }))
  await backgroundCommand(
    'rollups.releaseFigures',
    `INSERT INTO ${qualified(releaseFiguresTable)}
       (project_id, window_seconds, catalog_key, through, version, released_at, time_to, upgraded_total, upgraded_reasons, upgraded_sessions, computed_at)
     SELECT {project:String}, {windowSeconds:UInt32}, {catalogKey:String}, fromUnixTimestamp64Milli({through:Int64}, 'UTC'),
            version, fromUnixTimestamp64Milli(released_at, 'UTC'), time_to, total, reasons, sessions, now64(3)
     FROM (SELECT 1)
     ARRAY JOIN {versions:Array(String)} AS version, {releasedAt:Array(Int64)} AS released_at, {timeTo:Array(Array(Int64))} AS time_to,
                {totals:Array(UInt32)} AS total, {reasons:Array(Array(String))} AS reasons, {sessions:Array(Array(UInt32))} AS sessions`,
    {
      project: projectId,
      windowSeconds,
      catalogKey: catalogKeyThrough(catalog, through),
      through,
      versions: figures.map((f) => f.release.version),
      releasedAt: figures.map((f) => f.release.releasedAt),
      timeTo: figures.map((f) => f.timeTo.map((t) => t ?? -1)),
      totals: figures.map((f) => f.upgraded.total),
      reasons: figures.map((f) => f.upgraded.byReason.map((r) => r.reason)),
      sessions: figures.map((f) => f.upgraded.byReason.map((r) => r.sessions)),
    },
  )
  return figures.length
}

export const releaseSummariesRollup: RollupStep = {
  name: 'releaseFigures',
  atEdge: (e: RollupEdge) => rollupReleaseFigures(e.projectId, e.windowSeconds, e.through, e.catalog).then(() => undefined),
}
