import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

export interface DeliveryRecord {
  projectId: string
  ruleId: string
  seq: number
  destinationId: string
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastStatus: number
  lastError: string
}

export const deliveryKey = (ruleId: string, seq: number, destinationId: string) => `${ruleId}\u0000${seq}\u0000${destinationId}`

/** Written right after each attempt, so a restart neither repeats a delivered one nor forgets a pending one. */
export async function recordDelivery(d: DeliveryRecord, now: number): Promise<void> {
  await insertRows('recordAlertDelivery', table('alert_deliveries'), [
    {
      project_id: d.projectId,
      rule_id: d.ruleId,
      seq: d.seq,
      destination_id: d.destinationId,
      status: d.status,
      attempts: d.attempts,
      next_attempt_at: d.nextAttemptAt,
      last_status: d.lastStatus,
      last_error: d.lastError.slice(0, 500),
      updated_at: now,
    },
  ])
}

export async function listDeliveries(since: number, projectId = ''): Promise<Map<string, DeliveryRecord>> {
  const rows = await runQuery<{
    project_id: string
    rule_id: string
    seq: number
    destination_id: string
    status: string
    attempts: number
    next_attempt_at: number | string
    last_status: number
    last_error: string
  }>(
    'listAlertDeliveries',
    `SELECT d.project_id AS project_id, d.rule_id AS rule_id, d.seq AS seq, d.destination_id AS destination_id, d.status AS status,
            d.attempts AS attempts, toUnixTimestamp64Milli(d.next_attempt_at) AS next_attempt_at, d.last_status AS last_status, d.last_error AS last_error
     FROM ${table('alert_deliveries')} AS d FINAL
     WHERE ({project:String} = '' OR d.project_id = {project:String})
       AND (d.rule_id, d.seq) IN (
         SELECT rule_id, seq FROM ${table('alert_transitions')}
         WHERE at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') AND ({project:String} = '' OR project_id = {project:String}))`,
    { since, project: projectId },
  )
  const map = new Map<string, DeliveryRecord>()
  for (const r of rows) {
    map.set(deliveryKey(r.rule_id, Number(r.seq), r.destination_id), {
      projectId: r.project_id,
      ruleId: r.rule_id,
      seq: Number(r.seq),
      destinationId: r.destination_id,
      status: r.status as DeliveryStatus,
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.next_attempt_at),
      lastStatus: Number(r.last_status),
      lastError: r.last_error,
    })
  }
  return map
}
