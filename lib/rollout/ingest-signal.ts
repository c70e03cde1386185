// Ingest answers of this process per second, for the guard: the share of 5xx
// (storage failing, shedding under load, shutting down) over a trailing
// window. ingest/ reports the answers it trusts here (lib/ knows nothing of
// ingest/): those to requests with a known key, and 5xx given before the key
// was read; each address counts at most ANSWERS_PER_ADDRESS_SECOND a second.
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

/** Answers counted per address in a second at most: one sender, however fast, weighs like a few tabs. */
export const ANSWERS_PER_ADDRESS_SECOND = 10

/** Answers counted so far this second per address (a hashed group; never the address). */
const perSource = () => processSingleton('ingestSignalSources', () => ({ second: 0, counts: new Map<number, number>() }))

/** Counts one ingest answer; `source`: the hashed address it went to (0 = not capped: loopback, unknown). */
export function recordIngestAnswer(status: number, now = Date.now(), source = 0): void {
  const r = ring()
  const s = Math.floor(now / 1000)
  if (source) {
    const p = perSource()
    if (p.second !== s) {
      p.second = s
      p.counts.clear()
    }
    const n = p.counts.get(source) ?? 0
    if (n >= ANSWERS_PER_ADDRESS_SECOND) return
    p.counts.set(source, n + 1)
  }
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
