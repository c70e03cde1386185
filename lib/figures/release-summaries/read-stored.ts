import type { LatestRelease } from '../../semantics/version-order'
import { releaseFiguresTable } from './table'
import { qualified } from '../../store/tables'
import { runQuery } from '../../store/run-query'
import { untilNextRollup } from '../shared-reads'
import type { ReloadUpgrades } from '../upgrades-by-reload/read'

// Figures the rollup run stored per release for one rollup edge
// (release_figures, ./rollup.ts): time to each target
// share up to the edge, and sessions upgraded by reload before it.

export interface StoredReleaseFigures {
  /** Per target share, ms after the release; null if not reached by `through`. */
  timeTo: (number | null)[]
  upgraded: ReloadUpgrades
}

export interface ReleaseFiguresParams {
  projectId: string
  windowSeconds: number
  catalogKey: string
  through: number
}

interface Row {
  version: string
  released_at: number | string
  time_to: (number | string)[]
  upgraded_total: number | string
  upgraded_reasons: string[]
  upgraded_sessions: (number | string)[]
}

export const releaseFiguresKey = (release: Pick<LatestRelease, 'version' | 'releasedAt'>) => `${release.releasedAt} ${release.version}`

/** The stored figures for exactly this edge and catalog, by releaseFiguresKey; empty when the rollup has not stored them. */
export async function readReleaseFigures(params: ReleaseFiguresParams): Promise<Map<string, StoredReleaseFigures>> {
  const rows = await runQuery<Row>(
    'releaseFigures',
    `SELECT version, toUnixTimestamp64Milli(released_at) AS released_at, time_to, upgraded_total, upgraded_reasons, upgraded_sessions
     FROM ${qualified(releaseFiguresTable)} FINAL
     WHERE project_id = {project:String} AND window_seconds = {windowSeconds:UInt32}
       AND through = fromUnixTimestamp64Milli({through:Int64}, 'UTC') AND catalog_key = {catalogKey:String}`,
    { project: params.projectId, windowSeconds: params.windowSeconds, through: params.through, catalogKey: params.catalogKey },
  )
  return new Map(
    rows.map((r) => [
      releaseFiguresKey({ version: r.version, releasedAt: Number(r.released_at) }),
      {
        timeTo: r.time_to.map((t) => (Number(t) < 0 ? null : Number(t))),
        upgraded: {
          total: Number(r.upgraded_total),
          byReason: r.upgraded_reasons.map((reason, i) => ({ reason, sessions: Number(r.upgraded_sessions[i]) })),
        },
      },
    ]),
  )
}

/** readReleaseFigures, kept until the project's next rollup publication (they change only then). */
export const storedReleaseFigures = (params: ReleaseFiguresParams) => untilNextRollup(params.projectId, 'releaseFigures', params, () => readReleaseFigures(params))

/** Counts of disjoint session sets (stored, and new since): sums, largest reason first as reloadUpgrades orders them. */
export function addUpgrades(stored: ReloadUpgrades, since: ReloadUpgrades): ReloadUpgrades {
  const byReason = new Map(stored.byReason.map((r) => [r.reason, r.sessions]))
  for (const r of since.byReason) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + r.sessions)
  return {
    total: stored.total + since.total,
    byReason: [...byReason]
      .map(([reason, sessions]) => ({ reason, sessions }))
      .filter((r) => r.sessions > 0)
      .sort((a, b) => b.sessions - a.sessions || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)),
  }
}
