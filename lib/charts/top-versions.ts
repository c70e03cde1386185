// Charts draw at most this many versions, one series each; the others are
// summed into one series, "other" (docs/semantics.md, Charts). A public
// ingest key can send any version string, and a stacked chart of thousands
// of series is unreadable and weighs megabytes: six is about what a stacked
// chart keeps apart at a glance, and a real rollout rarely has more versions
// live. Registered releases are vouched for by a deploy token or the admin,
// so they always keep their own series: the key holder's versions are the
// ones folded, and a flood of them cannot hide a real release (issue #22).
export const CHART_VERSIONS = 6

/** The series key of the versions summed together, unless a kept version is named so. */
export function otherKey(kept: ReadonlySet<string>): string {
  let key = 'other'
  while (kept.has(key)) key = `${key} versions`
  return key
}

/**
 * The versions a chart draws on their own: all of them when they fit, else
 * every registered release in `totals` (however many), then the unregistered
 * versions with the most in `totals` (sessions or events over the window),
 * ties by name, while there is room.
 */
export function topVersions(totals: ReadonlyMap<string, number>, registered: ReadonlySet<string>, max = CHART_VERSIONS): Set<string> {
  if (totals.size <= max) return new Set(totals.keys())
  const kept = new Set([...totals.keys()].filter((v) => registered.has(v)))
  const ranked = [...totals].filter(([v]) => !registered.has(v)).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
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
