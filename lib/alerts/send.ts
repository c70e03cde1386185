import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { checkedLookup, defaultEgressPolicy, EgressRefusedError, internalKind, type EgressPolicy } from './egress'
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './sign'
import { slackBody, webhookBody, type Notification } from './message'
import type { Destination } from './rule-schema'

export interface SendResult {
  ok: boolean
  /** The receiver's HTTP status; 0 when there was no answer. */
  status: number
  error: string
  /** The egress rules refused the destination (lib/alerts/egress.ts): nothing was sent. */
  refused?: boolean
}

const TIMEOUT_MS = 10_000

/**
 * One POST to a URL over node:http(s), whose socket connects only to an
 * address the egress rules allow (checked in the connection's own lookup).
 * Redirects are not followed: a 3xx is the receiver's answer.
 */
function post(url: URL, headers: Record<string, string>, body: string, policy: EgressPolicy): Promise<number> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0) {
    const kind = internalKind(host, policy)
    if (kind) return Promise.reject(new EgressRefusedError(`${host} is a ${kind} address`))
  }
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: checkedLookup(policy), signal: AbortSignal.timeout(TIMEOUT_MS) },
      (response) => {
        // The answer's body is not needed; drain it so the socket is released.
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

/** One POST of one notification to one destination. Never throws. */
export async function sendNotification(destination: Destination, n: Notification, now: number, policy: EgressPolicy = defaultEgressPolicy()): Promise<SendResult> {
  const body = destination.kind === 'slack' ? slackBody(n) : webhookBody(n, now)
  try {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Stalewatch-Alerts/1',
      [TIMESTAMP_HEADER]: String(now),
      [SIGNATURE_HEADER]: signBody(destination.secret, body),
      [DELIVERY_HEADER]: n.id,
    }
    const status = await post(new URL(destination.url), headers, body, policy)
    const ok = status >= 200 && status < 300
    return { ok, status, error: ok ? '' : `HTTP ${status}` }
  } catch (error) {
    return { ok: false, status: 0, error: error instanceof Error ? error.message : String(error), refused: error instanceof EgressRefusedError }
  }
}
