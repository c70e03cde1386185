import { insertRows, runQuery } from '../store/run-query'
import { rolloutTable } from './tables'
import type { Cause, RecentGrant, WaveIdentity, WaveMinute, WaveProgress } from './wave'

// Each wave's progress in ClickHouse (migration 0091 rollout_waves, 0130 its
// recent grants): written
// by the process that paces it every few seconds and at every pause and
// resumption, read back after a restart and by other ingest nodes.

export type WaveStatus = 'running' | 'ended'

export interface StoredWave extends WaveIdentity, WaveProgress {
  status: WaveStatus
  updatedAt: number
}

interface Row {
  change_id: string
  minimum: string
  changed_at: number
  starts_at: number
  reloads_per_minute: number
  paused: number
  paused_since: number
  paused_ms: number
  causes: string
  granted: number
  landed: number
  last_grant_at: number
  per_minute: string
  recent_grants: string
  status: string
  updated_at: number
}

const ms = (column: string) => `toUnixTimestamp64Milli(${column}) AS ${column}`

export async function saveWave(w: StoredWave, now = Date.now()): Promise<void> {
  await insertRows('saveRolloutWave', rolloutTable('rollout_waves'), [
    {
      project_id: w.projectId,
      change_id: w.changeId,
      minimum: w.minimum,
      changed_at: w.changedAt,
      starts_at: w.startsAt,
      reloads_per_minute: w.reloadsPerMinute,
      paused: w.paused ? 1 : 0,
      paused_since: w.pausedSince,
      paused_ms: w.pausedMs,
      causes: JSON.stringify(w.causes),
      granted: w.granted,
      landed: w.landed,
      last_grant_at: w.lastGrantAt ?? 0,
      per_minute: JSON.stringify(w.perMinute.map((m) => [m.minute, m.granted, m.landed])),
      recent_grants: JSON.stringify(w.recentGrants.map((g) => [g.session, g.source, g.at, g.landed ? 1 : 0])),
      status: w.status,
      // Strictly after the row it replaces, even within one millisecond of it.
      updated_at: Math.max(now, w.updatedAt + 1),
    },
  ])
}

/** The project's waves, newest change first; `changeId` narrows to one. */
export async function loadWaves(projectId: string, changeId = ''): Promise<StoredWave[]> {
  const rows = await runQuery<Row>(
    'loadRolloutWaves',
    `SELECT change_id, minimum, ${ms('changed_at')}, ${ms('starts_at')}, reloads_per_minute, paused, ${ms('paused_since')}, paused_ms,
            causes, granted, landed, ${ms('last_grant_at')}, per_minute, recent_grants, status, ${ms('updated_at')}
     FROM ${rolloutTable('rollout_waves')} FINAL
     WHERE project_id = {project:String} AND ({change:String} = '' OR change_id = {change:String})
     ORDER BY changed_at DESC
     LIMIT 100`,
    { project: projectId, change: changeId },
  )
  return rows.map((r) => ({
    projectId,
    changeId: r.change_id,
    minimum: r.minimum,
    changedAt: Number(r.changed_at),
    startsAt: Number(r.starts_at),
    reloadsPerMinute: Number(r.reloads_per_minute),
    paused: Number(r.paused) === 1,
    pausedSince: Number(r.paused_since),
    pausedMs: Number(r.paused_ms),
    causes: JSON.parse(r.causes) as Cause[],
    granted: Number(r.granted),
    landed: Number(r.landed),
    lastGrantAt: Number(r.last_grant_at) || null,
    perMinute: (JSON.parse(r.per_minute) as number[][]).map(([minute, granted, landed]): WaveMinute => ({ minute: minute!, granted: granted!, landed: landed! })),
    recentGrants: (JSON.parse(r.recent_grants) as number[][]).map(([session, source, at, landed]): RecentGrant => ({ session: session!, source: source!, at: at!, landed: landed === 1 })),
    status: r.status as WaveStatus,
    updatedAt: Number(r.updated_at),
  }))
}
