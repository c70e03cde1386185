import { config } from '../config'
import { processSingleton } from '../process-singleton'
import { catalogGeneration } from '../releases/catalog-staleness'

// One computation per project, figure and tick, shared by every viewer
// (docs/scaling.md, Many viewers, one computation). Dashboard pages compute
// their figures at the start of the current tick (figureTick), so every
// viewer who renders within one tick asks with the same parameters, and the
// first one's read, in flight or done, answers all of them. An entry lives
// until its tick ends: a figure of the window still filling is never more
// than one tick old. It is dropped sooner when the project's rollup edge is
// published (figuresChanged) or its releases or minimum change (the
// catalog's staleness mark), because either changes what a figure says.

/** Entries kept at most, a backstop: expired ones are swept once a tick anyway. Each is one figure's rows for one page. */
const MAX_ENTRIES = 500

interface Entry {
  value: Promise<unknown>
  rollupGeneration: number
  catalogGeneration: number
  expiresAt: number
}

interface SharedReads {
  entries: Map<string, Entry>
  rollupGenerations: Map<string, number>
  computed: number
  shared: number
  sweptAt: number
}

const state = () => processSingleton('sharedFigureReads', (): SharedReads => ({ entries: new Map(), rollupGenerations: new Map(), computed: 0, shared: 0, sweptAt: 0 }))

const tickMs = () => config().figureTickMs

/** The tick's length, ms (STALEWATCH_FIGURE_TICK_MS). */
export const figureTickMs = tickMs

/** The instant a page computes its figures at: the start of the tick `now` falls in. */
export function figureTick(now: number = Date.now()): number {
  const tick = tickMs()
  return Math.floor(now / tick) * tick
}

/** The project's rollup edge was published: its figures are read again. */
export function figuresChanged(projectId: string): void {
  const generations = state().rollupGenerations
  generations.set(projectId, (generations.get(projectId) ?? 0) + 1)
}

/** How many times the project's rollup edge was published in this process (what held figures compare against). */
export function rollupGeneration(projectId: string): number {
  return state().rollupGenerations.get(projectId) ?? 0
}

/** How many reads were computed, how many were answered by one already computed or in flight, and how many figures are kept now. */
export function sharedReadCounts(): { computed: number; shared: number; kept: number } {
  const s = state()
  return { computed: s.computed, shared: s.shared, kept: s.entries.size }
}

/** Past ticks' figures go once a tick (nobody asks for them again: the instant is in their key), and the oldest past the bound. */
function evict(s: SharedReads, now: number): void {
  const { entries } = s
  if (now - s.sweptAt >= tickMs() || entries.size >= MAX_ENTRIES) {
    s.sweptAt = now
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key)
  }
  for (const key of entries.keys()) {
    if (entries.size < MAX_ENTRIES) break
    entries.delete(key)
  }
}

/**
 * The figure `figure` of `projectId` with `params` (everything the read
 * depends on besides the project's data, `at` included), read once per tick
 * whoever asks. A read that fails is not kept: the next viewer reads again.
 */
export function sharedFigure<T>(projectId: string, figure: string, params: object, read: () => Promise<T>, now: number = Date.now()): Promise<T> {
  const s = state()
  const key = `${projectId}\u0000${figure}\u0000${JSON.stringify(params)}`
  const rollupGeneration = s.rollupGenerations.get(projectId) ?? 0
  const catalog = catalogGeneration(projectId)
  const known = s.entries.get(key)
  if (known && known.expiresAt > now && known.rollupGeneration === rollupGeneration && known.catalogGeneration === catalog) {
    s.shared++
    return known.value as Promise<T>
  }
  evict(s, now)
  const value = read()
  const entry: Entry = { value, rollupGeneration, catalogGeneration: catalog, expiresAt: figureTick(now) + tickMs() }
  s.entries.delete(key)
  s.entries.set(key, entry)
  s.computed++
  value.catch(() => {
    if (s.entries.get(key) === entry) s.entries.delete(key)
  })
  return value
}

// Figures the rollup stored (a release's figures at an edge, the live counts
// at an instant it computed) change only when a run publishes: kept until
// the project's next publication, whoever asks. Only on the embedded engine,
// where the run is in this process; elsewhere it may run on another node,
// whose publication this process does not hear.
const storedFigures = () => processSingleton('storedFigureReads', () => new Map<string, { value: Promise<unknown>; rollupGeneration: number }>())

/** `read` of figures the rollup stored, kept until the project's rollup edge is published again. */
export function untilNextRollup<T>(projectId: string, figure: string, params: object, read: () => Promise<T>): Promise<T> {
  if (config().clickhouseUrl) return read()
  const entries = storedFigures()
  const key = `${projectId}\u0000${figure}\u0000${JSON.stringify(params)}`
  const generation = rollupGeneration(projectId)
  const known = entries.get(key)
  if (known && known.rollupGeneration === generation) return known.value as Promise<T>
  const value = read()
  const entry = { value, rollupGeneration: generation }
  entries.delete(key)
  entries.set(key, entry)
  for (const oldest of entries.keys()) {
    if (entries.size <= MAX_ENTRIES) break
    entries.delete(oldest)
  }
  value.catch(() => {
    if (entries.get(key) === entry) entries.delete(key)
  })
  return value
}

