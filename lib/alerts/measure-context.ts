import { eventRate, type EventRateRow } from '../figures/event-rates/read-rate'
import { liveClasses, type LiveClasses } from '../figures/adoption/read-classes'
import type { Judgement } from './state-machine'

// What every rule kind's measurement reads through: one memo per evaluation,
// so rules of one project share their reads. Kept apart from measure.ts so the
// kinds measured in their own files (measure-backend-load.ts) depend on this
// and measure.ts depends on them, never both ways.

export interface Measurement extends Judgement {
  /** null when the figure is undefined now (stale share with nothing live). */
  value: number | null
  threshold: number
  /** One line for people: what is measured, the value and the threshold. */
  summary: string
}

/** Per-evaluation memo: rules of one project share their live-session query. */
export interface MeasureContext {
  now: number
  windowSeconds: (projectId: string) => Promise<number>
  liveClasses: (projectId: string) => Promise<LiveClasses>
  eventRate: (projectId: string, baselineMinutes: number) => Promise<EventRateRow>
  /** Any other read, once per key and evaluation. */
  shared: <T>(key: string, load: () => Promise<T>) => Promise<T>
}

export function measureContext(now: number, windowSeconds: (projectId: string) => Promise<number>): MeasureContext {
  const live = new Map<string, Promise<LiveClasses>>()
  const rates = new Map<string, Promise<EventRateRow>>()
  const reads = new Map<string, Promise<unknown>>()
  return {
    now,
    windowSeconds,
    liveClasses: (projectId) => {
      let p = live.get(projectId)
      if (!p) {
        p = windowSeconds(projectId).then((w) => liveClasses({ projectId, at: now, windowSeconds: w }))
        live.set(projectId, p)
      }
      return p
    },
    eventRate: (projectId, baselineMinutes) => {
      const key = `${projectId}\u0000${baselineMinutes}`
      let p = rates.get(key)
      if (!p) {
        p = eventRate({ projectId, at: now, baselineMinutes })
        rates.set(key, p)
      }
      return p
    },
    shared: <T>(key: string, load: () => Promise<T>) => {
      let p = reads.get(key) as Promise<T> | undefined
      if (!p) {
        p = load()
        reads.set(key, p)
      }
      return p
    },
  }
}
