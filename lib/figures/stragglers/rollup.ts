import { STRAGGLER_GRACE_MS } from '../../semantics/rollout'
import { releaseTimeline, type VersionCatalog } from '../../semantics/version-order'
import { backgroundCommand } from '../../store/background'
import { qualified } from '../../store/tables'
import { liveAtInstantSelect } from '../live-sessions/raw'
import type { RollupChunk, RollupStep } from '../rollup-step'
import { liveInstantsTable } from './table'

// Stragglers of each release are counted at releasedAt + grace, an instant
// that is rarely a minute boundary, so live_minutes cannot answer it and a
// raw read per release per page view is what made the releases list slow.
// The rollup computes these instants once their minutes are finalised (and
// again when late events reopen them) into live_instants.

/** The instants the rollup precomputes for a project: each release's releasedAt + the default grace. */
function stragglerInstants(catalog: VersionCatalog): number[] {
  return [...new Set(releaseTimeline(catalog).map((r) => r.releasedAt + STRAGGLER_GRACE_MS))]
}

/** Computes live sessions per version at each instant in [from, to), all from raw events. */
async function rollupLiveInstants(projectId: string, windowSeconds: number, instants: readonly number[], from: number, to: number): Promise<void> {
  const inChunk = instants.filter((t) => t >= from && t < to)
  if (inChunk.length === 0) return
  const values: Record<string, unknown> = { project: projectId, windowMs: windowSeconds * 1000, windowSeconds, instants: inChunk }
  const selects = inChunk.map((t, i) => {
    values[`at${i}`] = t
    return liveAtInstantSelect(`at${i}`)
  })
  // The marker row says "computed" even when nothing was live.
  selects.push(`SELECT arrayJoin({instants:Array(Int64)}) AS at, '' AS version, toUInt32(0) AS sessions`)
  await backgroundCommand(
    'rollups.liveInstants',
    `INSERT INTO ${qualified(liveInstantsTable)} (project_id, at, window_seconds, version, sessions, computed_at)
     SELECT {project:String}, fromUnixTimestamp64Milli(at, 'UTC'), {windowSeconds:UInt32}, version, sessions, now64(3)
     FROM (${selects.join('\nUNION ALL\n')})`,
    values,
  )
}

export const stragglersRollup: RollupStep = {
  name: 'liveInstants',
  // A first run also settles instants before the first event (nothing was live), so pages never read raw events for them.
  chunk: (c: RollupChunk) => rollupLiveInstants(c.projectId, c.windowSeconds, stragglerInstants(c.catalog), c.firstEver ? 0 : c.from, c.to),
}
