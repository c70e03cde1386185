import { errorMessage, log } from '../log'
import type { EgressPolicy } from './egress'
import { deliveryKey, listDeliveries, recordDelivery, type DeliveryRecord } from './delivery-store'
import { notificationFor } from './message'
import type { AlertRule } from './rule-schema'
import { sendNotification } from './send'
import { listTransitions, NOTIFIED_KINDS } from './transition-store'

// The outbox: every firing/resolved transition of the last day, times each
// destination it was meant for, minus those already delivered or given up.
// Each attempt's outcome is stored before the next starts, so a restart
// resumes exactly where this one stopped.

export const MAX_ATTEMPTS = 8
/** Transitions older than this are no longer delivered (a week-old page helps nobody). */
export const OUTBOX_HORIZON_MS = 24 * 3600_000

/** Wait before attempt n + 1 after n failed attempts: 10 s, 30 s, 90 s, … capped at 10 min. */
export function backoffMs(failedAttempts: number): number {
  return Math.min(10_000 * 3 ** Math.max(0, failedAttempts - 1), 600_000)
}

export interface DeliverOptions {
  now: number
  rules: ReadonlyMap<string, AlertRule>
  baseUrl: string
  /** Where deliveries may go; the configured egress rules when absent. */
  egress?: EgressPolicy
}

export interface DeliverResult {
  delivered: number
  failed: number
  retrying: number
}

export async function deliverDue(options: DeliverOptions): Promise<DeliverResult> {
  const { now } = options
  const since = now - OUTBOX_HORIZON_MS
  const [transitions, deliveries] = await Promise.all([
    listTransitions({ kinds: NOTIFIED_KINDS, since, limit: 10_000 }),
    listDeliveries(since),
  ])
  const result: DeliverResult = { delivered: 0, failed: 0, retrying: 0 }
  // Oldest first, and a destination waiting on a retry of an earlier
  // transition of the same rule gets nothing newer meanwhile: a receiver
  // never sees "resolved" before the "firing" it resolves.
  const blocked = new Set<string>()
  for (const t of transitions.sort((a, b) => a.at - b.at || a.seq - b.seq)) {
    const rule = options.rules.get(t.ruleId)
    for (const destinationId of t.destinationIds) {
      const lane = `${t.ruleId}\u0000${destinationId}`
      const previous = deliveries.get(deliveryKey(t.ruleId, t.seq, destinationId))
      if (previous?.status === 'delivered' || previous?.status === 'failed') continue
      if (blocked.has(lane)) continue
      const destination = rule?.destinations.find((d) => d.id === destinationId)
      const record: DeliveryRecord = previous ?? {
        projectId: t.projectId,
        ruleId: t.ruleId,
        seq: t.seq,
        destinationId,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastStatus: 0,
        lastError: '',
      }
      if (!destination) {
        await recordDelivery({ ...record, status: 'failed', lastError: 'destination no longer exists' }, now)
        result.failed++
        continue
      }
      if (record.nextAttemptAt > now) {
        blocked.add(lane)
        continue
      }
      const sent = await sendNotification(destination, notificationFor(t, rule, options.baseUrl), now, options.egress)
      const attempts = record.attempts + 1
      const status = sent.ok ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending'
      try {
        await recordDelivery(
          { ...record, status, attempts, nextAttemptAt: sent.ok ? now : now + backoffMs(attempts), lastStatus: sent.status, lastError: sent.error },
          now,
        )
      } catch (error) {
        // Without a record the next pass sends again: better twice than never.
        log.error('alert delivery state not stored', { rule: t.ruleId, seq: t.seq, error: errorMessage(error) })
      }
      if (status === 'delivered') result.delivered++
      else if (status === 'failed') {
        result.failed++
        log.warn('alert delivery gave up', { rule: t.ruleId, seq: t.seq, destination: destinationId, error: sent.error })
      } else {
        result.retrying++
        blocked.add(lane)
      }
    }
  }
  return result
}
