import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './sign'
import { slackBody, webhookBody, type Notification } from './message'
import type { Destination } from './rule-schema'

export interface SendResult {
  ok: boolean
  status: number
  error: string
}

const TIMEOUT_MS = 10_000

/** One POST of one notification to one destination. Never throws. */
export async function sendNotification(
  destination: Destination,
  n: Notification,
  now: number,
  fetchImpl: typeof fetch = fetch,
): Promise<SendResult> {
  const body = destination.kind === 'slack' ? slackBody(n) : webhookBody(n, now)
  try {
    const response = await fetchImpl(destination.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Stalewatch-Alerts/1',
        [TIMESTAMP_HEADER]: String(now),
        [SIGNATURE_HEADER]: signBody(destination.secret, body),
        [DELIVERY_HEADER]: n.id,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    // The answer's body is not needed; read it so the connection is reused.
    await response.arrayBuffer().catch(() => undefined)
    return { ok: response.status >= 200 && response.status < 300, status: response.status, error: response.ok ? '' : `HTTP ${response.status}` }
  } catch (error) {
    return { ok: false, status: 0, error: error instanceof Error ? error.message : String(error) }
  }
}
