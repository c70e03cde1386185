// The one formula of a wave's pace (docs/semantics.md, Minimum version and reload
// waves), used by the preview before a change and by the live progress after:
// forced reloads start one spacing apart from the wave's start, so N tabs at
// R per minute take N / R minutes, and in no minute do more than R start.

export const MINUTE_MS = 60_000

/** ms between two forced-reload slots at this rate; Infinity at rate 0 (no slot ever comes). */
export function spacingMs(reloadsPerMinute: number): number {
  return reloadsPerMinute > 0 ? MINUTE_MS / reloadsPerMinute : Infinity
}

/** When the last of `tabs` forced reloads will have started: null when the rate is 0 and there is a tab to reload. */
export function projectedEnd(tabs: number, reloadsPerMinute: number, startsAt: number): number | null {
  if (tabs <= 0) return startsAt
  if (reloadsPerMinute <= 0) return null
  return Math.round(startsAt + tabs * spacingMs(reloadsPerMinute))
}

/** The start of the wall-clock minute holding t. */
export const minuteOf = (t: number): number => Math.floor(t / MINUTE_MS) * MINUTE_MS
