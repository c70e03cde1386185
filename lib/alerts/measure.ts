import { rateEventLabel } from '../figures/event-rates/read-rate'
import { lastEvent } from '../figures/event-rates/read-last-event'
import { isOrderedBefore } from '../semantics/version-order'
import { catalogFor } from '../releases/catalog'
import { measureBackendLoad } from './measure-backend-load'
import { measureSkewErrors } from './measure-skew-errors'
import type { MeasureContext, Measurement } from './measure-context'
import type { Condition } from './rule-schema'
import type { Judgement } from './state-machine'

// One rule's value now, its threshold, and the judgement the state machine
// needs. Every figure is read through its folder in lib/figures/, as the
// dashboard reads it.

const MINUTE_MS = 60_000

function judge(value: number | null, threshold: number, margin: number, applies: boolean): Judgement {
  if (!applies || value === null) return { breaching: false, clear: true }
  return { breaching: value > threshold, clear: value <= threshold * (1 - margin) }
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

export async function measure(projectId: string, condition: Condition, ctx: MeasureContext): Promise<Measurement> {
  const margin = condition.resolveMargin
  switch (condition.kind) {
    case 'stale_share': {
      const live = await ctx.liveClasses(projectId)
      const value = live.staleShare === null ? null : live.staleShare * 100
      const graceEnds = live.latest ? live.latest.releasedAt + condition.graceMinutes * MINUTE_MS : Infinity
      const inGrace = ctx.now < graceEnds
      const threshold = condition.thresholdPercent
      const summary =
        value === null
          ? 'Stale share is undefined: nothing is live'
          : `Stale share ${fmt(value)} % (${live.staleSessions} of ${live.total} live sessions) vs threshold ${fmt(threshold)} %` +
            (inGrace ? `, within the ${condition.graceMinutes} min grace after ${live.latest?.version}` : '')
      return { value, threshold, summary, ...judge(value, threshold, margin, !inGrace) }
    }
    case 'below_minimum': {
      const live = await ctx.liveClasses(projectId)
      const value = live.minSupported === null ? 0 : live.belowMinimumSessions
      const threshold = condition.maxSessions
      const summary = `${value} live sessions below the minimum supported version ${live.minSupported ?? '(none set)'} vs threshold ${threshold}`
      return { value, threshold, summary, ...judge(value, threshold, margin, true) }
    }
    case 'version_live': {
      const live = await ctx.liveClasses(projectId)
      const latest = live.latest
      const inGrace = !latest || ctx.now < latest.releasedAt + condition.graceMinutes * MINUTE_MS
      let value = 0
      if (latest) {
        if (condition.version === undefined) value = live.staleSessions
        else {
          const catalog = await catalogFor(projectId)
          const old = isOrderedBefore(catalog, condition.version, latest.version, ctx.now)
          value = old ? (live.versions.find((v) => v.version === condition.version)?.sessions ?? 0) : 0
        }
      }
      const threshold = condition.maxSessions
      const what = condition.version === undefined ? `versions older than ${latest?.version ?? 'the latest'}` : `version ${condition.version}`
      const summary =
        `${value} live sessions on ${what} vs threshold ${threshold}` +
        (latest && inGrace ? `, within the ${condition.graceMinutes} min grace after ${latest.version}` : '')
      return { value, threshold, summary, ...judge(value, threshold, margin, !inGrace) }
    }
    case 'event_rate': {
      const rate = await ctx.eventRate(projectId, condition.baselineMinutes)
      const value = rate.lastMinute[condition.event]
      const limits: number[] = []
      if (condition.perMinuteAbove !== undefined) limits.push(condition.perMinuteAbove)
      if (condition.baselineFactor !== undefined) {
        limits.push(Math.max(condition.baselineFactor * rate.baselinePerMinute[condition.event], condition.minPerMinute))
      }
      // Either limit fires the rule: the lower one is the threshold in effect.
      const threshold = Math.min(...limits)
      const label = rateEventLabel(condition.event)
      const summary =
        `${label} in the last minute: ${value} vs threshold ${fmt(threshold)}` +
        ` (trailing ${condition.baselineMinutes} min baseline ${fmt(rate.baselinePerMinute[condition.event])}/min)`
      return { value, threshold, summary, ...judge(value, threshold, margin, true) }
    }
    case 'ingest_silence': {
      const { lastEventAt } = await lastEvent({ projectId, since: ctx.now - condition.lookbackHours * 3600_000, at: ctx.now })
      const value = lastEventAt === null ? null : (ctx.now - lastEventAt) / MINUTE_MS
      const threshold = condition.silentMinutes
      const summary =
        value === null
          ? `No events in the last ${condition.lookbackHours} h: no traffic to lose`
          : `No events for ${fmt(value)} min vs threshold ${fmt(threshold)} min`
      // Silence is judged with >=: "no events for Z minutes" holds at Z exactly.
      if (value === null) return { value, threshold, summary, breaching: false, clear: true }
      return { value, threshold, summary, breaching: value >= threshold, clear: value <= threshold * (1 - margin) }
    }
    case 'skew_errors':
      return measureSkewErrors(projectId, condition, ctx)
    case 'stale_requests':
    case 'requests_per_tab':
    case 'reconnect_storm':
      return measureBackendLoad(projectId, condition, ctx)
  }
}
