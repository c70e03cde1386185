import { backgroundCommand } from '../../store/background'
import { qualified } from '../../store/tables'
import { rawWindowParams } from '../raw-params'
import type { RollupChunk, RollupStep } from '../rollup-step'
import { reloadLoadsSelect } from './raw'
import { reloadLoadsTable, reloadUpgradeMinutesTable } from './table'

/** Finalises the chunk's reloaded loads (reload_loads) and their distinct sessions per minute (reload_upgrade_minutes). */
async function rollupReloadUpgrades(c: RollupChunk): Promise<void> {
  const params = rawWindowParams(c.projectId, c.from, c.to, c.windowSeconds)
  await backgroundCommand(
    'rollups.reloadLoads',
    `INSERT INTO ${qualified(reloadLoadsTable)} (project_id, version, session_id, load_id, load_time, previous_version, reason, computed_at)
     SELECT {project:String}, version, session_id, load_id, load_time, previous_version, reason, now64(3)
     FROM (${reloadLoadsSelect()})`,
    params,
  )
  // Keys already stored for these minutes get an empty set unless recomputed (a late reload event can change a load's reason).
  const stale = c.fresh
    ? ''
    : `UNION ALL SELECT version, minute, previous_version, reason, '' FROM ${qualified(reloadUpgradeMinutesTable)}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
  await backgroundCommand(
    'rollups.reloadUpgradeMinutes',
    `INSERT INTO ${qualified(reloadUpgradeMinutesTable)} (project_id, version, minute, previous_version, reason, sessions, computed_at)
     SELECT {project:String}, version, minute, previous_version, reason, uniqExactStateIf(session_id, session_id != ''), now64(3)
     FROM (
       SELECT version, toDateTime(toStartOfMinute(load_time), 'UTC') AS minute, previous_version, reason, session_id FROM (${reloadLoadsSelect()})
       ${stale}
     )
     GROUP BY version, minute, previous_version, reason`,
    params,
  )
}

export const upgradesByReloadRollup: RollupStep = { name: 'reloadUpgrades', chunk: rollupReloadUpgrades }
