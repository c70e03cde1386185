// Pure chart shaping: (minute, version, sessions) rows into one point per
// minute with a key per version, the shape a stacked area chart draws.
// Minutes with no live session get explicit zeros so areas do not interpolate
// across gaps.

export interface VersionCountRow {
  minute: number
  version: string
  sessions: number
}

export interface StackedPoint {
  minute: number
  /** Live sessions per version; kept apart from `minute` so no version name can collide with it. */
  counts: Record<string, number>
}

export interface StackedSeries {
  /** Versions in stacking order: oldest first (as given by `order`), unknown ones last. */
  versions: string[]
  points: StackedPoint[]
}

export function stackByVersion(rows: readonly VersionCountRow[], from: number, to: number, order: readonly string[] = []): StackedSeries {
  const seen = new Set(rows.map((r) => r.version))
  const rank = new Map(order.map((v, i) => [v, i]))
  const versions = [...seen].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || a.localeCompare(b))

  const byMinute = new Map<number, StackedPoint>()
  const firstMinute = Math.ceil(from / 60_000) * 60_000
  for (let minute = firstMinute; minute <= to; minute += 60_000) {
    const point: StackedPoint = { minute, counts: {} }
    for (const v of versions) point.counts[v] = 0
    byMinute.set(minute, point)
  }
  for (const row of rows) {
    const point = byMinute.get(row.minute)
    if (point) point.counts[row.version] = (point.counts[row.version] ?? 0) + row.sessions
  }
  return { versions, points: [...byMinute.values()] }
}
