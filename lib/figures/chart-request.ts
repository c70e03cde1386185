import { z } from 'zod'
import { CHART_NAMES, RELEASE_CHARTS, type ChartName, type ChartRequest } from './charts'
import { findRelease, type ChartContext } from './chart-context'

// Resolving what a page or API asks for into a ChartRequest, with errors a
// person can act on. Shared by the chart API and the pages.

export const MAX_WINDOW_MS = 7 * 24 * 3600_000
export const chartNameSchema = z.enum(CHART_NAMES)

export interface ChartAsk {
  chart: ChartName
  from?: number
  to?: number
  release?: string
  releasedAt?: number
  now: number
}

export type Resolved = { ok: true; request: ChartRequest } | { ok: false; status: 400 | 404; code: string; message: string }

export function resolveChartRequest(ctx: ChartContext, ask: ChartAsk): Resolved {
  let release
  if (ask.release !== undefined) {
    release = findRelease(ctx, ask.release, ask.releasedAt)
    if (!release) return { ok: false, status: 404, code: 'unknown_release', message: 'No such release of this project.' }
  } else if (RELEASE_CHARTS.includes(ask.chart)) {
    return { ok: false, status: 400, code: 'invalid_request', message: `release: the ${ask.chart} chart needs a release` }
  }
  const to = ask.to ?? ask.now
  const from = ask.from ?? (release ? release.releasedAt - 15 * 60_000 : to - 3600_000)
  if (from >= to) return { ok: false, status: 400, code: 'invalid_request', message: 'from: must be before to' }
  if (to - from > MAX_WINDOW_MS) return { ok: false, status: 400, code: 'invalid_request', message: 'from: the window is at most 7 days' }
  return { ok: true, request: { from, to, release } }
}
