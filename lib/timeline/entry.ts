// One line of the incident timeline (docs/timeline.md): what happened, when,
// and which source said so. Each source (./sources/) returns its entries for
// a window; ./read.ts puts them on one axis.

export type TimelineSourceName = 'release' | 'minimum' | 'wave' | 'alert' | 'storm' | 'refusals' | 'skew' | 'stalewatch'

export interface TimelineEntry {
  at: number
  /** The end, for what lasted (an outage, a storm, a stretch of refusals); absent for an instant. */
  to?: number
  source: TimelineSourceName
  /** What kind of entry within the source: release, started, paused, firing, down, … */
  kind: string
  /** One line for people. */
  title: string
}

export interface TimelineWindow {
  projectId: string
  from: number
  to: number
  /** The project's liveness window, for sources that read live figures. */
  windowSeconds: number
}

/** A source of entries: one small file under ./sources/, listed in ./sources/index.ts. */
export interface TimelineSource {
  name: TimelineSourceName
  entries: (w: TimelineWindow) => Promise<TimelineEntry[]>
}
