import { isStale } from '../../semantics/rollout'
import type { VersionCatalog } from '../../semantics/version-order'

// The share of skew errors that came from builds older than the latest
// release (docs/semantics.md, Skew errors): each bucket's errors by version,
// each version judged stale or not at the bucket's end, as the stale share is.
// Pure.

export interface OlderShare {
  total: number
  older: number
  /** older / total; null when there was no skew error. */
  share: number | null
}

export function olderShare(catalog: VersionCatalog, rows: readonly { minute: number; series: string; events: number }[], stepMs: number): OlderShare {
  let total = 0
  let older = 0
  for (const r of rows) {
    total += r.events
    if (isStale(catalog, r.series, r.minute + stepMs)) older += r.events
  }
  return { total, older, share: total > 0 ? older / total : null }
}

/** The share per bucket of the grid [from, to] (null in buckets without a skew error), as the share chart draws it. */
export function olderShareSeries(
  catalog: VersionCatalog,
  rows: readonly { minute: number; series: string; events: number }[],
  from: number,
  to: number,
  stepMs: number,
): { x: number; share: number | null }[] {
  const byBucket = new Map<number, { minute: number; series: string; events: number }[]>()
  for (const r of rows) byBucket.set(r.minute, [...(byBucket.get(r.minute) ?? []), r])
  const points: { x: number; share: number | null }[] = []
  for (let x = Math.ceil(from / stepMs) * stepMs; x <= to; x += stepMs) points.push({ x, share: olderShare(catalog, byBucket.get(x) ?? [], stepMs).share })
  return points
}
