import { randomToken } from '../ids'
import { insertRows, runQuery } from '../store/run-query'
import { rolloutTable } from './tables'

// The audit log of rollout control (migration 0091 rollout_audit): every
// change of the minimum with who made it, when, the preview's figures at that
// moment and (kept up to date while its wave runs) what then happened; every
// pause and resumption of a wave by the guard with its causes; every change of
// the rate. docs/rollout.md, "Audit".

export type AuditAction = 'min_supported' | 'guard_paused' | 'guard_resumed' | 'settings'

/** Who asked: the credential the request carried (lib/rollout/actor.ts), or the guard. */
export type Actor = 'admin token' | 'deploy token' | 'dashboard' | 'guard'

export interface AuditEntry {
  id: string
  projectId: string
  at: number
  action: AuditAction
  actor: Actor
  from: string | null
  to: string | null
  /** The preview's figures (a change of the minimum), the causes (a pause) or the new settings. */
  detail: unknown
  /** What then happened; null until known. */
  outcome: unknown
  updatedAt: number
}

export async function writeAudit(entry: Omit<AuditEntry, 'id' | 'updatedAt'> & { id?: string; updatedAt?: number }, now = Date.now()): Promise<AuditEntry> {
  const row: AuditEntry = { ...entry, id: entry.id ?? `${entry.at}-${randomToken('', 6)}`, updatedAt: Math.max(now, (entry.updatedAt ?? 0) + 1) }
  await insertRows('writeRolloutAudit', rolloutTable('rollout_audit'), [
    {
      project_id: row.projectId,
      id: row.id,
      at: row.at,
      action: row.action,
      actor: row.actor,
      from_version: row.from ?? '',
      to_version: row.to ?? '',
      detail: JSON.stringify(row.detail ?? null),
      outcome: row.outcome === null ? '' : JSON.stringify(row.outcome),
      updated_at: row.updatedAt,
    },
  ])
  return row
}

interface Row {
  id: string
  at: number
  action: string
  actor: string
  from_version: string
  to_version: string
  detail: string
  outcome: string
  updated_at: number
}

/** Newest first. */
export async function listAudit(projectId: string, limit = 100): Promise<AuditEntry[]> {
  const rows = await runQuery<Row>(
    'listRolloutAudit',
    `SELECT id, toUnixTimestamp64Milli(at) AS at, action, actor, from_version, to_version, detail, outcome, toUnixTimestamp64Milli(updated_at) AS updated_at
     FROM ${rolloutTable('rollout_audit')} FINAL
     WHERE project_id = {project:String}
     ORDER BY at DESC, id DESC
     LIMIT {limit:UInt32}`,
    { project: projectId, limit },
  )
  return rows.map((r) => ({
    id: r.id,
    projectId,
    at: Number(r.at),
    action: r.action as AuditAction,
    actor: r.actor as Actor,
    from: r.from_version === '' ? null : r.from_version,
    to: r.to_version === '' ? null : r.to_version,
    detail: JSON.parse(r.detail) as unknown,
    outcome: r.outcome === '' ? null : (JSON.parse(r.outcome) as unknown),
    updatedAt: Number(r.updated_at),
  }))
}
