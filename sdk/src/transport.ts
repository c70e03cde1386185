// Sends queued events: batched, at most one request in flight, fetch with
// keepalive while the body is small, a copy by sendBeacon when the page goes
// away, retries with backoff. An event leaves the queue only when an answer
// settles it (2xx, or a final 4xx); a beacon's fate is unknown, so what it
// carried stays queued and pending() hands it to the next load of the tab.
// No timer is armed while the queue is empty.
import type { Env } from './types'
import { backoff } from './backoff'
import { BATCH_DELAY_MS, KEEPALIVE_MAX_BYTES, trim } from './queue'
import { MAX_EVENTS, type WireEvent } from './wire'

/**
 * The parts of the ingest answer the SDK uses (belowMinimum and reloadIn are
 * additive). reloadIn: ms until this tab's forced-reload slot, 0 = now, null = none.
 */
export type Answer = { latest?: string | null; minSupported?: string | null; belowMinimum?: boolean; reloadIn?: number | null }

/** Who is sending: the envelope's fields besides sentAt, dropped and events. */
export type Head = { key: string; session: string; load: string; version: string; replay?: boolean }

export interface Transport {
  /** Queue an event and arm the batch timer. */
  add(e: WireEvent): void
  /** Send now (unless a request is in flight). */
  flush(): void
  /** Hand a copy of what is queued and not in flight to sendBeacon: the page may be going away. */
  beacon(): void
  /** The head and the events not settled yet, oldest first, for the next load of the tab. */
  keep(): [Head, WireEvent[]]
}

export const transport = (
  url: string,
  head: Head,
  env: Env,
  answer: (a: Answer) => void,
): Transport => {
  // Ask for the versions in a header of a 204 (no body to read); an older
  // server ignores the parameter and keeps answering 200 with a JSON body.
  url += (url.includes('?') ? '&' : '?') + 'answer=header'
  /** Every event not settled yet; the first `busy` of them are in flight. */
  const q: WireEvent[] = []
  let busy = 0
  let dropped = 0
  let timer: unknown
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
    const events = q.slice(0, MAX_EVENTS)
    busy = events.length
    const b = body(events)
    // This envelope reports the drops so far; a retry reports them again.
    const sentDropped = dropped
    dropped = 0
    // retryAfter: the header's value, or the network error (then ignored).
    const retry = (retryAfter?: unknown) => {
      dropped += sentDropped
      busy = 0
      arm(backoff(attempt++, env.Math.random, retryAfter))
    }
    env.fetch(url, { keepalive: new Blob([b]).size < KEEPALIVE_MAX_BYTES, method: 'POST', body: b }).then(
      (r) => {
        if (r.status == 429 || r.status > 499) return retry(r.headers.get('retry-after'))
        // Any other answer settles these events: 2xx teaches us versions, 4xx drops the batch.
        q.splice(0, busy)
        busy = 0
        // Armed before learning: a header that does not parse must not stop sending.
        arm(BATCH_DELAY_MS)
        // A 204 to ?answer=header carries the versions in a header; an older server, a 200 body.
        if (r.ok) {
          attempt = 0
          // The header's JSON is parsed by a Response too, so a malformed one is dropped like a malformed body.
          // Object(): an answer of null or 5 is no object to read versions from, and must not throw.
          ;((h = r.headers.get('stalewatch-answer')) ? new Response(h) : r).json().then((a) => answer(Object(a)), () => {})
        }
      },
      retry,
    )
  }

  return {
    add(e) {
      q.push(e)
      dropped += trim(q, busy)
      arm(BATCH_DELAY_MS)
    },
    flush: send,
    beacon() {
      // Up to MAX_EVENTS events not in flight: a keepalive fetch outlives the page, and keep() has them all.
      if (q[busy]) env.navigator.sendBeacon(url, body(q.slice(busy, busy + MAX_EVENTS)))
    },
    keep: () => [head, q],
  }
}
