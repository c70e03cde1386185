import { config } from '../config'
import { MAX_WINDOW_MS } from '../figures/chart-request'

// The window a timeline is asked for, the same for the page and its exports:
// the 6 hours before `to` (now) unless `from` is given, at most 7 days.

const DEFAULT_MS = 6 * 3600_000

export type TimelineWindowAsk = { ok: true; from: number; to: number } | { ok: false; message: string; from: number; to: number }

export function timelineWindow(from: number | undefined, to: number | undefined, now: number): TimelineWindowAsk {
  const end = to ?? now
  const start = from ?? end - DEFAULT_MS
  if (start >= end) return { ok: false, message: 'from: must be before to', from: end - DEFAULT_MS, to: end }
  if (end - start > MAX_WINDOW_MS) return { ok: false, message: 'from: the window is at most 7 days', from: end - MAX_WINDOW_MS, to: end }
  return { ok: true, from: start, to: end }
}

/** The page of a window, as a path with its query: the address a postmortem links back to. */
export function timelinePath(projectId: string, from: number, to: number): string {
  return `/timeline?${new URLSearchParams({ project: projectId, from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`
}

/** The same, absolute: on STALEWATCH_PUBLIC_URL when set (behind a proxy the request's own origin may be internal), else the request's. */
export function timelineUrl(projectId: string, from: number, to: number, requestUrl: string): string {
  return new URL(timelinePath(projectId, from, to), config().publicUrl || requestUrl).toString()
}
