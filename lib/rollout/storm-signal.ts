// Resumes and returns from hidden per project, counted as ingest accepts them,
// for the guard's storm signals (lib/rollout/guard.ts): the last minute
// against the trailing hour, per second over the last 61 minutes. Counted
// here rather than read from the stored events because a stored event does
// not say where it came from: each address (a hashed group, never the address
// itself) counts at most STORM_EVENTS_PER_ADDRESS_MINUTE of each kind a
// minute, so fake tabs from a few addresses, however many events they send,
// weigh as a few tabs. ingest/ reports here (lib/ knows nothing of ingest/);
// on globalThis, as the route bundle and server.ts share one count.
import { processSingleton } from '../process-singleton'

export type StormEvent = 'resume' | 'visible'
export const STORM_EVENTS = ['resume', 'visible'] as const satisfies readonly StormEvent[]

/** Events of one kind one address counts in a minute at most. */
export const STORM_EVENTS_PER_ADDRESS_MINUTE = 5
/** The trailing window the baseline may span, in minutes. */
export const STORM_BASELINE_MINUTES = 60
const SECONDS = (STORM_BASELINE_MINUTES + 1) * 60

interface Ring {
  second: Float64Array
  counts: Record<StormEvent, Uint32Array>
}

interface State {
  projects: Map<string, Ring>
  /** The minute `perAddress` counts. */
  minute: number
  perAddress: Map<string, number>
}

const state = () => processSingleton<State>('stormSignal', () => ({ projects: new Map(), minute: 0, perAddress: new Map() }))

/**
 * Counts a request's resumes and returns from hidden. `source`: the hashed
 * address (0 = none, as for loopback: not capped).
 */
export function recordStormEvents(projectId: string, source: number, events: Record<StormEvent, number>, now = Date.now()): void {
  if (events.resume === 0 && events.visible === 0) return
  const s = state()
  const minute = Math.floor(now / 60_000)
  if (s.minute !== minute) {
    s.minute = minute
    s.perAddress.clear()
  }
  let ring = s.projects.get(projectId)
  if (!ring) s.projects.set(projectId, (ring = { second: new Float64Array(SECONDS), counts: { resume: new Uint32Array(SECONDS), visible: new Uint32Array(SECONDS) } }))
  const second = Math.floor(now / 1000)
  const i = second % SECONDS
  if (ring.second[i] !== second) {
    ring.second[i] = second
    for (const e of STORM_EVENTS) ring.counts[e][i] = 0
  }
  for (const e of STORM_EVENTS) {
    let n = events[e]
    if (source && n > 0) {
      const key = `${projectId}\u0000${source}\u0000${e}`
      const before = s.perAddress.get(key) ?? 0
      n = Math.min(n, STORM_EVENTS_PER_ADDRESS_MINUTE - before)
      s.perAddress.set(key, before + n)
    }
    if (n > 0) ring.counts[e][i]! += n
  }
}

/** The last 60 s's count, and the per-minute average of the `baselineMinutes` before it (at most STORM_BASELINE_MINUTES). */
export function stormRate(projectId: string, event: StormEvent, baselineMinutes: number, now = Date.now()): { lastMinute: number; baselinePerMinute: number } {
  const ring = state().projects.get(projectId)
  if (!ring) return { lastMinute: 0, baselinePerMinute: 0 }
  const minutes = Math.min(baselineMinutes, STORM_BASELINE_MINUTES)
  const last = Math.floor(now / 1000)
  const sum = (from: number, to: number) => {
    let n = 0
    for (let s = from; s <= to; s++) if (ring.second[s % SECONDS] === s) n += ring.counts[event][s % SECONDS]!
    return n
  }
  return { lastMinute: sum(last - 59, last), baselinePerMinute: sum(last - 59 - minutes * 60, last - 60) / minutes }
}
