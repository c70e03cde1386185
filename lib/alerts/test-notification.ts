import { config } from '../config'
import { testNotification } from './message'
import type { AlertRule } from './rule-schema'
import { sendNotification, type SendResult } from './send'

/**
 * How a destination took the test message. Deliberately coarse: the test
 * endpoint must not echo a receiver's status code or connection errors, or
 * it would work as a port and status probe of wherever a URL points.
 */
export type TestOutcome = 'delivered' | 'refused_by_receiver' | 'unreachable' | 'destination_not_allowed'

export interface TestResult {
  destination: string
  kind: string
  ok: boolean
  outcome: TestOutcome
}

function outcomeOf(sent: SendResult): TestOutcome {
  if (sent.ok) return 'delivered'
  if (sent.refused) return 'destination_not_allowed'
  return sent.status > 0 ? 'refused_by_receiver' : 'unreachable'
}

/** Sends a test message to every destination of a rule, once each, no retries. */
export async function sendTestNotification(rule: AlertRule, now = Date.now(), baseUrl = config().publicUrl ?? ''): Promise<TestResult[]> {
  const n = testNotification(rule, now, baseUrl)
  return Promise.all(
    rule.destinations.map(async (d) => {
      const sent = await sendNotification(d, n, now)
      return { destination: d.id, kind: d.kind, ok: sent.ok, outcome: outcomeOf(sent) }
    }),
  )
}
