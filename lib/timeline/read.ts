import { liveClasses } from '../figures/adoption/read-classes'
import { errorMessage, log } from '../log'
import type { TimelineEntry, TimelineSourceName, TimelineWindow } from './entry'
import { TIMELINE_SOURCES } from './sources'

// The incident timeline of a window (docs/timeline.md): every source's
// entries on one axis, oldest first, and the key figures a postmortem quotes.
// A source that fails leaves the others: the timeline names it as missing
// rather than showing nothing.

export interface KeyFigures {
  /** Live tabs and the stale share at the window's start and end (docs/semantics.md, Liveness and Rollout). */
  liveAtStart: number
  liveAtEnd: number
  staleShareAtStart: number | null
  staleShareAtEnd: number | null
  /** Time in the window Stalewatch heard no tab (down, disk low), ms. */
  unheardMs: number
}

export interface Timeline {
  projectId: string
  from: number
  to: number
  entries: TimelineEntry[]
  figures: KeyFigures
  /** Sources that could not be read: their entries are missing. */
  missing: TimelineSourceName[]
}

/** Where a source's entries go when two happen at the same instant: causes before their effects. */
const ORDER: readonly TimelineSourceName[] = ['stalewatch', 'release', 'minimum', 'wave', 'storm', 'refusals', 'skew', 'alert']

export async function readTimeline(w: TimelineWindow): Promise<Timeline> {
  const settled = await Promise.allSettled(TIMELINE_SOURCES.map((s) => s.entries(w)))
  const entries: TimelineEntry[] = []
  const missing: TimelineSourceName[] = []
  settled.forEach((result, i) => {
    if (result.status === 'fulfilled') entries.push(...result.value)
    else {
      missing.push(TIMELINE_SOURCES[i]!.name)
      log.warn('timeline source failed', { source: TIMELINE_SOURCES[i]!.name, error: errorMessage(result.reason) })
    }
  })
  entries.sort((a, b) => a.at - b.at || ORDER.indexOf(a.source) - ORDER.indexOf(b.source))
  const [start, end] = await Promise.all([w.from, w.to].map((at) => liveClasses({ projectId: w.projectId, at, windowSeconds: w.windowSeconds })))
  const unheard = entries.filter((e) => e.source === 'stalewatch' && (e.kind === 'down' || e.kind === 'disk_low'))
  return {
    projectId: w.projectId,
    from: w.from,
    to: w.to,
    entries,
    figures: {
      liveAtStart: start!.total,
      liveAtEnd: end!.total,
      staleShareAtStart: start!.staleShare,
      staleShareAtEnd: end!.staleShare,
      unheardMs: unheard.reduce((sum, e) => sum + ((e.to ?? e.at) - e.at), 0),
    },
    missing,
  }
}
