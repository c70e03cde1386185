import { backgroundCommand } from '../../store/background'
import { qualified } from '../../store/tables'
import { rawWindowParams } from '../raw-params'
import type { RollupChunk, RollupStep } from '../rollup-step'
import { eventMinutesSelect } from './raw'
import { eventMinutesByKindTable } from './table'

/** Finalises distinct events per minute, kind, version and detail into event_minutes_by_kind. */
async function rollupEventMinutes(c: RollupChunk): Promise<void> {
  const stale = c.fresh
    ? ''
    : `UNION ALL SELECT minute, kind, version, reason, toUInt32(0) FROM ${qualified(eventMinutesByKindTable)}
       WHERE project_id = {project:String} AND minute >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND minute < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`
  await backgroundCommand(
    'rollups.eventMinutes',
    // The table's `sessions` column is left at its default: no chart reads
    // per-minute session counts, and they cost a second distinct count.
    `INSERT INTO ${qualified(eventMinutesByKindTable)} (project_id, minute, kind, version, reason, events, computed_at)
     SELECT {project:String}, minute, kind, version, reason, toUInt32(sum(events)), now64(3)
     FROM (${eventMinutesSelect()} ${stale})
     GROUP BY minute, kind, version, reason`,
    rawWindowParams(c.projectId, c.from, c.to, c.windowSeconds),
  )
}

export const eventRatesRollup: RollupStep = { name: 'eventMinutes', chunk: rollupEventMinutes }
