// Charts draw at most this many versions, one series each; the others are
// summed into one series, "other" (docs/semantics.md, Charts). A public
// ingest key can send any version string, and a stacked chart of thousands
// of series is unreadable and weighs megabytes: six is what the palette
// keeps clearly apart (the latest in blue, five stale ones in warm colours,
// lib/charts/palette.ts), and a real rollout rarely has more versions live.
export const CHART_VERSIONS = 6

/** The series key of the versions summed together, unless a kept version is named so. */
export function otherKey(kept: ReadonlySet<string>): string {
  let key = 'other'
  while (kept.has(key)) key = `${key} versions`
  return key
}

/**
 * The versions a chart draws on their own: all of them when they fit, else
 * the latest release (when it has any) and the ones with the most in `totals`
 * (sessions or events over the window), ties by name.
 */
export function topVersions(totals: ReadonlyMap<string, number>, latest: string | null, max = CHART_VERSIONS): Set<string> {
  if (totals.size <= max) return new Set(totals.keys())
  const kept = new Set<string>()
  if (latest !== null && totals.has(latest)) kept.add(latest)
  const ranked = [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
  for (const [version] of ranked) {
    if (kept.size >= max) break
    kept.add(version)
  }
  return kept
}

/** Rows with every version outside `kept` renamed to the other key; their values then add up in one series. */
export function foldVersions<Row extends { version: string }>(rows: readonly Row[], kept: ReadonlySet<string>, other: string): Row[] {
  return rows.map((r) => (kept.has(r.version) ? r : { ...r, version: other }))
}
