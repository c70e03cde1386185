// The answers of the live "now" figures, shared by their two sources: the
// events table (read-now.ts, read-live-tabs.ts) and the live index kept in
// memory (live-index.ts), so both answer in one shape.

/** Visibility reported before the window: only needed for sessions whose events in the window carry none (a resume after a freeze, say). */
export const VISIBILITY_LOOKBACK_MS = 3600_000

export interface LiveVersionRow {
  version: string
  sessions: number
  visible: number
  hidden: number
}

export const AGE_BUCKETS = [
  { label: 'under 1 h', toMs: 3600_000 },
  { label: '1 h to 1 day', toMs: 24 * 3600_000 },
  { label: 'over 1 day', toMs: null },
] as const

export interface LiveTabsRow {
  version: string
  /** 'visible', 'hidden', or '' when the session reported none in the window (a resume after a freeze). */
  visibility: string
  idle: boolean
  unsaved: boolean
  /** Index into AGE_BUCKETS. */
  ageBucket: number
  sessions: number
}
