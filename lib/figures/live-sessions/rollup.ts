import { backgroundCommand } from '../../store/background'
import { qualified } from '../../store/tables'
import type { RollupChunk, RollupStep } from '../rollup-step'
import { liveMinutesSelect } from './raw'
import { rawWindowParams } from '../raw-params'
import { liveMinutesTable } from './table'

/** Finalises live sessions at each minute boundary of the chunk into live_minutes. */
async function rollupLiveMinutes(c: RollupChunk): Promise<void> {
  // Keys already stored for these minutes get a 0 unless recomputed, so a
  // (version, visibility) that a late event moved away from does not linger.
  const stale = c.fresh
    ? ''
    : `UNION ALL SELECT minute, version, visibility, toUInt32(0) FROM ${qualified(liveMinutesTable)}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute <= fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
  await backgroundCommand(
    'rollups.liveMinutes',
    `INSERT INTO ${qualified(liveMinutesTable)} (project_id, minute, version, visibility, sessions, computed_at)
     SELECT {project:String}, minute, version, visibility, toUInt32(sum(sessions)), now64(3)
     FROM (${liveMinutesSelect()} ${stale})
     GROUP BY minute, version, visibility`,
    rawWindowParams(c.projectId, c.from, c.to, c.windowSeconds),
  )
}

export const liveSessionsRollup: RollupStep = { name: 'liveMinutes', chunk: rollupLiveMinutes }
