import { stepFor } from '../../charts/chart-data'
import { adoptionSeries, staleShareSeries } from '../../semantics/rollout'
import type { LatestRelease } from '../../semantics/version-order'
import { versionTones } from '../chart-context'
import type { ChartDef, ChartRequest } from '../chart-def'
import { liveOnGrid } from '../live-sessions/chart'

// Rollout shares over live sessions at each minute boundary (docs/semantics.md, Rollout).

const MINUTE = 60_000
/** How many earlier releases the aligned chart compares with. */
const ALIGNED_PREVIOUS = 4
const ALIGNED_MAX_MS = 24 * 3600_000
const STALE_SHARE = 'stale share'

function requireRelease(req: ChartRequest): LatestRelease {
  if (!req.release) throw new Error('this chart needs a release')
  return req.release
}

export const staleShareChart: ChartDef = {
  title: 'Stale share',
  kind: 'line',
  emptyText: 'Nothing was live in this window.',
  prepare: async (ctx, req, grid) => {
    const rows = await liveOnGrid(ctx, req, grid)
    const points = staleShareSeries(rows, ctx.catalog, req.from, req.to, grid.stepMs)
    return {
      xKind: 'time',
      unit: 'share',
      facts: [{ key: STALE_SHARE, label: STALE_SHARE, version: null, visibility: null, tone: { family: 'share' } }],
      points: points.map((p) => ({ x: p.minute, values: { [STALE_SHARE]: p.ratio } })),
    }
  },
}

export const adoptionChart: ChartDef = {
  title: 'Adoption',
  kind: 'line',
  emptyText: 'Nothing live since this release.',
  needsRelease: true,
  prepare: async (ctx, req, grid) => {
    const release = requireRelease(req)
    const rows = await liveOnGrid(ctx, req, grid)
    // Before its release nothing could adopt it: no point there, rather than 0 %.
    const points = adoptionSeries(rows, ctx.catalog, release.version, req.from, req.to, grid.stepMs).map((p) => (p.minute < release.releasedAt ? { ...p, ratio: null } : p))
    const tone = versionTones(ctx, [release.version]).get(release.version)!
    return {
      xKind: 'time',
      unit: 'share',
      facts: [{ key: release.version, label: release.version, version: release.version, visibility: null, tone }],
      points: points.map((p) => ({ x: p.minute, values: { [release.version]: p.ratio } })),
    }
  },
}

/** The release's adoption curve and those of the releases before it, each from its own release time, on one axis of minutes since release. */
export const alignedChart: ChartDef = {
  title: 'Adoption since release, compared with earlier releases',
  kind: 'line',
  emptyText: 'Nothing live since this release.',
  needsRelease: true,
  prepare: async (ctx, req) => {
    const release = requireRelease(req)
    const horizon = Math.min(ALIGNED_MAX_MS, Math.max(60 * MINUTE, req.to - release.releasedAt))
    const step = stepFor(horizon)
    const index = ctx.timeline.findIndex((r) => r.version === release.version && r.releasedAt === release.releasedAt)
    const compared = ctx.timeline.slice(Math.max(0, index - ALIGNED_PREVIOUS), index + 1)
    const labelOf = (r: LatestRelease) => (compared.filter((c) => c.version === r.version).length > 1 ? `${r.version} @ ${new Date(r.releasedAt).toISOString()}` : r.version)
    const curves = await Promise.all(
      compared.map(async (r) => {
        const to = Math.min(req.to, r.releasedAt + horizon)
        const rows = await liveOnGrid(ctx, { from: r.releasedAt, to }, { step })
        return { label: labelOf(r), release: r, points: adoptionSeries(rows, ctx.catalog, r.version, r.releasedAt, to, step * MINUTE) }
      }),
    )
    const byOffset = new Map<number, Record<string, number | null>>()
    for (let offset = 0; offset <= horizon / MINUTE; offset += step) byOffset.set(offset, Object.fromEntries(curves.map((c) => [c.label, null])))
    for (const curve of curves) {
      for (const p of curve.points) {
        const offset = Math.round((p.minute - curve.release.releasedAt) / MINUTE / step) * step
        const values = byOffset.get(offset)
        if (values && p.ratio !== null) values[curve.label] = p.ratio
      }
    }
    // Each release in its own version's colour, as on every other chart.
    const tones = versionTones(ctx, curves.map((c) => c.release.version))
    return {
      xKind: 'offset',
      unit: 'share',
      stepMinutes: step,
      noMarkers: true,
      facts: curves.map((c) => ({
        key: c.label,
        label: c.label,
        version: c.release.version,
        visibility: null,
        tone: tones.get(c.release.version)!,
      })),
      points: [...byOffset].map(([x, values]) => ({ x, values })),
    }
  },
}
