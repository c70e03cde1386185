// Ingest answers of this process per second, for the guard: the share of 5xx
// (storage failing, shedding under load, shutting down) over a trailing
// window. ingest/ reports every answer here (lib/ knows nothing of ingest/).
// On globalThis: the route bundle and server.ts share one count.
import { processSingleton } from '../process-singleton'

const SECONDS = 3600

interface Ring {
  /** The second each bucket holds (epoch s); a bucket of another second is stale. */
  second: Float64Array
  answers: Uint32Array
  errors: Uint32Array
}

const ring = (): Ring =>
  processSingleton('ingestSignal', () => ({ second: new Float64Array(SECONDS), answers: new Uint32Array(SECONDS), errors: new Uint32Array(SECONDS) }))

/** Counts one ingest answer. */
export function recordIngestAnswer(status: number, now = Date.now()): void {
  const r = ring()
  const s = Math.floor(now / 1000)
  const i = s % SECONDS
  if (r.second[i] !== s) {
    r.second[i] = s
    r.answers[i] = 0
    r.errors[i] = 0
  }
  r.answers[i]!++
  if (status >= 500) r.errors[i]!++
}

/** Answers and 5xx among them over the last `windowSeconds` (at most an hour). */
export function ingestErrors(windowSeconds: number, now = Date.now()): { answers: number; errors: number } {
  const r = ring()
  const last = Math.floor(now / 1000)
  let answers = 0
  let errors = 0
  for (let s = last - Math.min(windowSeconds, SECONDS) + 1; s <= last; s++) {
    const i = s % SECONDS
    if (r.second[i] !== s) continue
    answers += r.answers[i]!
    errors += r.errors[i]!
  }
  return { answers, errors }
}
