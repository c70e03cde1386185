import type { SeriesFacts } from '../../charts/chart-data'
import { otherKey, topVersions } from '../../charts/top-versions'
import { NOT_A_VERSION } from '../../semantics/backend-load'
import { isOrderedBefore, type LatestRelease } from '../../semantics/version-order'
import { registeredVersions, versionOrder, versionTones, type ChartContext } from '../chart-context'
import type { ChartRequest } from '../chart-def'

// Which series a backend-load chart draws, and what each one is. Without a
// release (overview, explorer): one series per version, at most
// CHART_VERSIONS of them plus "other" (lib/charts/top-versions.ts), the
// labels that are no version (`unknown`, the sender's `other`) apart. With
// a release (its page): that release against the versions before it (stale
// against it) and after it, each row classed by the version order at its
// own time, so a rollback reclasses from the moment it is released.

export interface LoadSeries {
  /** The series a count of `version` at `at` adds to. */
  keyOf: (version: string, at: number) => string
  /** Facts of the given keys, in drawing order. */
  facts: (keys: ReadonlySet<string>) => SeriesFacts[]
}

const UNVERSIONED = { family: 'unversioned' } as const

function byVersion(ctx: ChartContext, req: ChartRequest, totals: ReadonlyMap<string, number>): LoadSeries {
  const kept = topVersions(totals, registeredVersions(ctx))
  const other = otherKey(kept)
  const tones = versionTones(ctx, [...kept].filter((v) => !NOT_A_VERSION.has(v)))
  const rank = new Map(versionOrder(ctx).map((v, i) => [v, i]))
  const place = (key: string) => (key === other && !kept.has(key) ? 2 : NOT_A_VERSION.has(key) ? 1 : 0)
  return {
    keyOf: (version) => (kept.has(version) ? version : other),
    facts: (keys) =>
      [...keys]
        .sort((a, b) => place(a) - place(b) || (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0))
        .map((key): SeriesFacts => {
          if (key === other && !kept.has(key)) return { key, label: key, version: null, visibility: null, tone: { family: 'other' } }
          if (NOT_A_VERSION.has(key)) return { key, label: key, version: null, visibility: null, tone: UNVERSIONED }
          return { key, label: key, version: key, visibility: null, tone: tones.get(key)! }
        }),
  }
}

function againstRelease(ctx: ChartContext, req: ChartRequest, release: LatestRelease): LoadSeries {
  const before = `older than ${release.version}`
  const after = `newer than ${release.version}`
  const noVersion = 'unknown'
  const own = versionTones(ctx, [release.version]).get(release.version)!
  const all: SeriesFacts[] = [
    { key: release.version, label: release.version, version: release.version, visibility: null, tone: own },
    { key: before, label: before, version: null, visibility: null, tone: { family: 'relative', side: 'older' } },
    { key: after, label: after, version: null, visibility: null, tone: { family: 'relative', side: 'newer' } },
    { key: noVersion, label: 'unknown (no version)', version: null, visibility: null, tone: UNVERSIONED },
  ]
  return {
    keyOf: (version, at) => {
      if (version === release.version) return release.version
      if (NOT_A_VERSION.has(version)) return noVersion
      if (isOrderedBefore(ctx.catalog, version, release.version, at)) return before
      return isOrderedBefore(ctx.catalog, release.version, version, at) ? after : noVersion
    },
    facts: (keys) => all.filter((f) => keys.has(f.key)),
  }
}

/** The chart's series, given the total each version counted over the window (which versions are kept on their own). */
export function loadSeries(ctx: ChartContext, req: ChartRequest, totals: ReadonlyMap<string, number>): LoadSeries {
  return req.release ? againstRelease(ctx, req, req.release) : byVersion(ctx, req, totals)
}
