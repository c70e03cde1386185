// Sends queued events: batched, at most one request in flight, fetch with
// keepalive while the body is small, sendBeacon when the page goes away,
// retries with backoff. No timer is armed while the queue is empty.
import type { WireEvent } from './wire'
import type { Env } from './types'
import { backoff } from './backoff'
import { BATCH_DELAY_MS, BATCH_MAX, KEEPALIVE_MAX_BYTES, trim } from './queue'

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
  // Ask for the versions in a header of a 204 (no body to read); an older
  // server ignores the parameter and keeps answering 200 with a JSON body.
  url += (url.includes('?') ? '&' : '?') + 'answer=header'
  const q: WireEvent[] = []
  let dropped = 0
  let timer: unknown
  let busy = 0
  let attempt = 0
  /** The last answer's stalewatch-answer header. */
  let h: string | null

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
    env.fetch(url, { keepalive: new Blob([b]).size < KEEPALIVE_MAX_BYTES, method: 'POST', body: b }).then(
      (r) => {
        if (r.status == 429 || r.status > 499) return retry(r.headers.get('retry-after'))
        busy = 0
        // Armed before learning: a header that does not parse must not stop sending.
        arm(BATCH_DELAY_MS)
        // Any other answer is final: 2xx teaches us versions, 4xx drops the batch.
        // A 204 to ?answer=header carries them in a header; an older server, a 200 body.
        if (r.ok) {
          attempt = 0
          // The header's JSON is parsed by a Response too, so a malformed one is dropped like a malformed body.
          ;((h = r.headers.get('stalewatch-answer')) ? new Response(h) : r).json().then(answer as (a: unknown) => void, () => {})
        }
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
