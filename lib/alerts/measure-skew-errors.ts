import { skewErrorCounts } from '../figures/skew-errors/read'
import { catalogFor } from '../releases/catalog'
import { isStale } from '../semantics/rollout'
import type { MeasureContext, Measurement } from './measure-context'
import type { Condition } from './rule-schema'

// The skew_errors rule kind (docs/alerts.md, docs/skew-errors.md): skew errors
// from builds older than the latest release over the last windowMinutes, per
// live tab of those builds now. Read through the figure's own folder
// (lib/figures/skew-errors/), so the alert and the charts count the same events.

type SkewErrorsCondition = Extract<Condition, { kind: 'skew_errors' }>

const MINUTE_MS = 60_000
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3))

export async function measureSkewErrors(projectId: string, c: SkewErrorsCondition, ctx: MeasureContext): Promise<Measurement> {
  const [counts, catalog, live] = await Promise.all([
    skewErrorCounts({ projectId, from: ctx.now - c.windowMinutes * MINUTE_MS, to: ctx.now }),
    catalogFor(projectId),
    ctx.liveClasses(projectId),
  ])
  const older = counts.filter((r) => isStale(catalog, r.version, ctx.now)).reduce((sum, r) => sum + r.events, 0)
  const tabs = live.staleSessions
  // A handful of old tabs is noise: below minTabs there is no value to judge.
  const value = tabs >= c.minTabs ? older / tabs : null
  const latest = live.latest?.version ?? 'the latest release'
  const summary =
    value === null
      ? `${older} skew errors from builds older than ${latest} in the last ${c.windowMinutes} min, ${tabs} live tabs on them (fewer than ${c.minTabs}: not judged)`
      : `Skew errors from builds older than ${latest}: ${fmt(value)} per live tab (${older} in the last ${c.windowMinutes} min over ${tabs} tabs) vs threshold ${fmt(c.perTabAbove)}`
  if (value === null) return { value, threshold: c.perTabAbove, summary, breaching: false, clear: true }
  return { value, threshold: c.perTabAbove, summary, breaching: value > c.perTabAbove, clear: value <= c.perTabAbove * (1 - c.resolveMargin) }
}
