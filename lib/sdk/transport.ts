// Sends queued events: batched, at most one request in flight, fetch with
// keepalive while the body is small, sendBeacon when the page goes away,
// retries with backoff. No timer is armed while the queue is empty.
import type { WireEvent } from '../wire-format'
import type { Env } from './types'
import { backoff } from './backoff'
import { BATCH_MAX, trim } from './queue'

/** Wait this long after the first queued event so that events travel together. */
export const BATCH_DELAY_MS = 1e3
/** keepalive requests share a 64 KiB budget in the browser; stay under it. */
export const KEEPALIVE_MAX_BYTES = 6e4

/** The parts of the ingest answer the SDK uses (belowMinimum is additive). */
export type Answer = { latest?: string | null; minSupported?: string | null; belowMinimum?: boolean }

export interface Transport {
  /** Queue an event and arm the batch timer. */
  add(e: WireEvent): void
  /** Send now (unless a request is in flight). */
  flush(): void
  /** Hand everything queued to sendBeacon: the page may be going away. */
  beacon(): void
}

export const transport = (
  url: string,
  head: { key: string; session: string; load: string; version: string },
  env: Env,
  answer: (a: Answer) => void,
): Transport => {
  const q: WireEvent[] = []
  let dropped = 0
  let timer: unknown
  let busy = 0
  let attempt = 0

  const body = (events: WireEvent[]) =>
    JSON.stringify({ ...head, sentAt: env.Date.now(), dropped, events })

  const arm = (ms: number) => {
    if (!timer && !busy && q.length) timer = env.setTimeout(send, ms)
  }

  const disarm = () => {
    env.clearTimeout(timer)
    timer = 0
  }

  const send = () => {
    disarm()
    if (busy || !q.length) return
    busy = 1
    const events = q.splice(0, BATCH_MAX)
    const b = body(events)
    // This envelope reports the drops so far; a retry puts them back.
    const sentDropped = dropped
    dropped = 0
    // retryAfter: the header's value, or the network error (then ignored).
    const retry = (retryAfter?: unknown) => {
      q.unshift(...events)
      dropped += sentDropped + trim(q)
      busy = 0
      arm(backoff(attempt++, env.Math.random, retryAfter))
    }
    env.fetch(url, { method: 'POST', body: b, keepalive: new Blob([b]).size < KEEPALIVE_MAX_BYTES }).then(
      (r) => {
        if (r.status == 429 || r.status > 499) return retry(r.headers.get('retry-after'))
        busy = 0
        // Any other answer is final: 2xx teaches us versions, 4xx drops the batch.
        if (r.ok) {
          attempt = 0
          r.json().then(answer as (a: unknown) => void, () => {})
        }
        arm(BATCH_DELAY_MS)
      },
      retry,
    )
  }

  return {
    add(e) {
      q.push(e)
      dropped += trim(q)
      arm(BATCH_DELAY_MS)
    },
    flush: send,
    beacon() {
      // One beacon of up to BATCH_MAX events; what does not fit stays queued.
      if (q.length && env.navigator.sendBeacon(url, body(q.slice(0, BATCH_MAX)))) {
        q.splice(0, BATCH_MAX)
        dropped = 0
      }
      if (!q.length) disarm()
    },
  }
}
