import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import type { TransitionKind } from './state-machine'

export interface StoredTransition {
  projectId: string
  ruleId: string
  seq: number
  kind: TransitionKind
  at: number
  since: number
  value: number | null
  threshold: number
  ruleName: string
  summary: string
  destinationIds: string[]
}

export const NOTIFIED_KINDS: readonly TransitionKind[] = ['firing', 'resolved']

export async function recordTransitions(transitions: readonly StoredTransition[], now: number): Promise<void> {
  if (transitions.length === 0) return
  await insertRows(
    'recordAlertTransitions',
    table('alert_transitions'),
    transitions.map((t) => ({
      project_id: t.projectId,
      rule_id: t.ruleId,
      seq: t.seq,
      kind: t.kind,
      at: t.at,
      since: t.since,
      value: t.value,
      threshold: t.threshold,
      rule_name: t.ruleName,
      summary: t.summary,
      destination_ids: t.destinationIds,
      recorded_at: now,
    })),
  )
}

interface TransitionRow {
  project_id: string
  rule_id: string
  seq: number
  kind: string
  at: number | string
  since: number | string
  value: number | null
  threshold: number
  rule_name: string
  summary: string
  destination_ids: string[]
}

const toTransition = (r: TransitionRow): StoredTransition => ({
  projectId: r.project_id,
  ruleId: r.rule_id,
  seq: Number(r.seq),
  kind: r.kind as TransitionKind,
  at: Number(r.at),
  since: Number(r.since),
  value: r.value === null ? null : Number(r.value),
  threshold: Number(r.threshold),
  ruleName: r.rule_name,
  summary: r.summary,
  destinationIds: r.destination_ids,
})

const COLUMNS = `project_id, rule_id, seq, kind, toUnixTimestamp64Milli(at) AS at, toUnixTimestamp64Milli(since) AS since,
  value, threshold, rule_name, summary, destination_ids`

export interface TransitionQuery {
  projectId?: string
  kinds?: readonly TransitionKind[]
  since?: number
  limit?: number
}

/** Newest first. */
export async function listTransitions(q: TransitionQuery = {}): Promise<StoredTransition[]> {
  const rows = await runQuery<TransitionRow>(
    'listAlertTransitions',
    `SELECT ${COLUMNS} FROM ${table('alert_transitions')} FINAL
     WHERE ({project:String} = '' OR project_id = {project:String})
       AND (length({kinds:Array(String)}) = 0 OR kind IN {kinds:Array(String)})
       AND at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     ORDER BY at DESC, seq DESC
     LIMIT {limit:UInt32}`,
    { project: q.projectId ?? '', kinds: q.kinds ?? [], since: q.since ?? 0, limit: q.limit ?? 200 },
  )
  return rows.map(toTransition)
}
