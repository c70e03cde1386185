import { config } from '../config'
import { testNotification } from './message'
import type { AlertRule } from './rule-schema'
import { sendNotification } from './send'

export interface TestResult {
  destination: string
  kind: string
  ok: boolean
  status: number
  error: string
}

/** Sends a test message to every destination of a rule, once each, no retries. */
export async function sendTestNotification(rule: AlertRule, now = Date.now(), baseUrl = config().publicUrl ?? ''): Promise<TestResult[]> {
  const n = testNotification(rule, now, baseUrl)
  return Promise.all(
    rule.destinations.map(async (d) => ({ destination: d.id, kind: d.kind, ...(await sendNotification(d, n, now)) })),
  )
}
