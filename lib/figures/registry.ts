import { alignedChart, adoptionChart, staleShareChart } from './adoption/chart'
import { perTabChart, reconnectsChart, requestsChart, serverErrorsChart } from './backend-load/chart'
import { backendLoadRollup } from './backend-load/rollup'
import type { ChartDef } from './chart-def'
import { EVENT_CHARTS } from './event-rates/chart'
import { eventRatesRollup } from './event-rates/rollup'
import { versionsChart, visibilityChart } from './live-sessions/chart'
import { liveSessionsRollup } from './live-sessions/rollup'
import { releaseSummariesRollup } from './release-summaries/rollup'
import { skewErrorsByCauseChart, skewErrorsByVersionChart, skewErrorsOlderShareChart } from './skew-errors/chart'
import type { RollupStep } from './rollup-step'
import { stragglersRollup } from './stragglers/rollup'
import { upgradesByReloadRollup } from './upgrades-by-reload/rollup'

// The figures' entries: every chart by the name its URL uses
// (/api/stats/chart/<name>), and every rollup step in the order a run takes
// them. A new figure is a folder of its own plus its lines here.

export const CHARTS = {
  versions: versionsChart,
  visibility: visibilityChart,
  'stale-share': staleShareChart,
  adoption: adoptionChart,
  aligned: alignedChart,
  // reloads, resumes, returns, errors: one per charted kind of lib/semantics/event-kinds.ts.
  ...EVENT_CHARTS,
  // Skew errors by cause and by version (docs/skew-errors.md); counted per minute by the event-rates rollup.
  'skew-errors': skewErrorsByCauseChart,
  'skew-errors-by-version': skewErrorsByVersionChart,
  'skew-errors-older-share': skewErrorsOlderShareChart,
  // Backend load by client version (docs/backend-load.md).
  'backend-requests': requestsChart,
  'backend-errors': serverErrorsChart,
  'backend-per-tab': perTabChart,
  'backend-reconnects': reconnectsChart,
} satisfies Record<string, ChartDef>

export type ChartName = keyof typeof CHARTS

export const ROLLUP_STEPS: readonly RollupStep[] = [liveSessionsRollup, eventRatesRollup, upgradesByReloadRollup, stragglersRollup, releaseSummariesRollup, backendLoadRollup]
