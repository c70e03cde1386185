import { recentLoad, settledMinute } from '../figures/backend-load/read-now'
import { backendTabMinutes } from '../figures/backend-load/read-tab-minutes'
import { catalogFor } from '../releases/catalog'
import { perSecond, requestsPerTab, type TabMinute } from '../semantics/backend-load'
import { isStale } from '../semantics/rollout'
import { latestReleaseAt } from '../semantics/version-order'
import type { MeasureContext, Measurement } from './measure-context'
import type { Condition } from './rule-schema'

// The backend-load rule kinds measured through the figure's own reads
// (lib/figures/backend-load/), so an alert and the dashboard count the same
// requests. Each judges the latest minute whose counts have all arrived
// (read-now.ts settledMinute); the counts rules also look at the minutes
// still filling: their counts so far only grow, so once they are above a
// threshold the minute will be too, and a storm fires within a send or two
// of crossing it instead of a minute and a half later.

type BackendLoadCondition = Extract<Condition, { kind: 'stale_requests' | 'requests_per_tab' | 'reconnect_storm' }>

const MINUTE_MS = 60_000
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3))

function judge(value: number | null, threshold: number, margin: number, applies: boolean): Pick<Measurement, 'breaching' | 'clear'> {
  if (!applies || value === null) return { breaching: false, clear: true }
  return { breaching: value > threshold, clear: value <= threshold * (1 - margin) }
}

/** "hh:mm UTC", how a summary names a minute. */
const minuteName = (minute: number) => `${new Date(minute).toISOString().slice(11, 16)} UTC`

async function staleRequests(projectId: string, c: Extract<BackendLoadCondition, { kind: 'stale_requests' }>, ctx: MeasureContext): Promise<Measurement> {
  const [recent, catalog] = await Promise.all([
    ctx.shared(`recentLoad\u0000${projectId}`, () => recentLoad({ projectId, at: ctx.now })),
    catalogFor(projectId),
  ])
  // Requests from stale versions in each minute: the settled one, and those still filling.
  const minutes = new Map<number, Map<string, number>>()
  for (const r of recent.rows) {
    if (!isStale(catalog, r.version, r.minute + MINUTE_MS)) continue
    const byVersion = minutes.get(r.minute) ?? new Map<string, number>()
    byVersion.set(r.version, (byVersion.get(r.version) ?? 0) + r.requests)
    minutes.set(r.minute, byVersion)
  }
  const total = (m: number) => [...(minutes.get(m)?.values() ?? [])].reduce((a, b) => a + b, 0)
  const minute = [recent.settled, ...recent.filling].reduce((best, m) => (total(m) > total(best) ? m : best), recent.settled)
  const latest = latestReleaseAt(catalog, minute + MINUTE_MS)
  const inGrace = latest !== null && ctx.now < latest.releasedAt + c.graceMinutes * MINUTE_MS
  const value = perSecond(total(minute), 1)
  const worst = [...(minutes.get(minute) ?? [])].sort((a, b) => b[1] - a[1]).slice(0, 3)
  const summary =
    `Requests from versions older than ${latest?.version ?? 'the latest release'}: ${fmt(value)}/s in the minute from ${minuteName(minute)}` +
    (minute === recent.settled ? '' : ' (counts so far)') +
    ` vs threshold ${fmt(c.perSecondAbove)}/s` +
    (worst.length ? ` (${worst.map(([v, n]) => `${v} ${fmt(perSecond(n, 1))}/s`).join(', ')})` : '') +
    (inGrace ? `, within the ${c.graceMinutes} min grace after ${latest?.version}` : '')
  return { value, threshold: c.perSecondAbove, summary, ...judge(value, c.perSecondAbove, c.resolveMargin, !inGrace) }
}

async function perTab(projectId: string, c: Extract<BackendLoadCondition, { kind: 'requests_per_tab' }>, ctx: MeasureContext): Promise<Measurement> {
  const end = settledMinute(ctx.now) + MINUTE_MS
  const from = end - c.windowMinutes * MINUTE_MS
  const windowSeconds = await ctx.windowSeconds(projectId)
  const [cells, catalog] = await Promise.all([backendTabMinutes({ projectId, from, to: end, windowSeconds }), catalogFor(projectId)])
  const latest = latestReleaseAt(catalog, end)
  const byVersion = new Map<string, TabMinute[]>()
  for (const cell of cells) {
    const list = byVersion.get(cell.version)
    if (list) list.push(cell)
    else byVersion.set(cell.version, [cell])
  }
  const enoughTabs = (list: readonly TabMinute[]) => list.reduce((n, x) => n + x.liveTabs, 0) / c.windowMinutes >= c.minTabs
  const latestCells = latest ? (byVersion.get(latest.version) ?? []) : []
  const latestRate = enoughTabs(latestCells) ? requestsPerTab(latestCells) : null
  let worst: { version: string; rate: number; factor: number } | null = null
  if (latest && latestRate !== null && latestRate > 0) {
    for (const [version, list] of byVersion) {
      if (version === latest.version || (c.version !== undefined && version !== c.version) || !enoughTabs(list)) continue
      const rate = requestsPerTab(list)
      if (rate !== null && (worst === null || rate / latestRate > worst.factor)) worst = { version, rate, factor: rate / latestRate }
    }
  }
  const value = worst?.factor ?? null
  const summary =
    latestRate === null || latestRate === 0 || !latest
      ? `Requests per tab undefined: the latest release ${latest?.version ?? '(none)'} has fewer than ${c.minTabs} live tabs or no requests in the last ${c.windowMinutes} min`
      : worst === null
        ? `No ${c.version ?? 'other version'} with ${c.minTabs}+ live tabs vs the latest ${latest.version} (${fmt(latestRate)} requests per tab per minute)`
        : `${worst.version}: ${fmt(worst.rate)} requests per tab per minute, ${fmt(worst.factor)}× the latest ${latest.version}'s ${fmt(latestRate)} (last ${c.windowMinutes} min) vs threshold ${fmt(c.factor)}×`
  return { value, threshold: c.factor, summary, ...judge(value, c.factor, c.resolveMargin, true) }
}

async function reconnectStorm(projectId: string, c: Extract<BackendLoadCondition, { kind: 'reconnect_storm' }>, ctx: MeasureContext): Promise<Measurement> {
  const recent = await recentLoad({ projectId, at: ctx.now, before: c.baselineMinutes, kinds: ['ws_reconnect'] })
  // Per version: the busiest of the settled minute and those still filling, and the baseline before them.
  const byVersion = new Map<string, { last: number; minute: number; baseline: number; counts: Map<number, number> }>()
  for (const r of recent.rows) {
    if (c.version !== undefined && r.version !== c.version) continue
    const v = byVersion.get(r.version) ?? { last: 0, minute: recent.settled, baseline: 0, counts: new Map<number, number>() }
    if (r.minute < recent.settled) v.baseline += r.requests
    else v.counts.set(r.minute, (v.counts.get(r.minute) ?? 0) + r.requests)
    byVersion.set(r.version, v)
  }
  for (const v of byVersion.values()) {
    for (const [minute, n] of v.counts) {
      if (n <= v.last) continue
      v.last = n
      v.minute = minute
    }
  }
  const thresholdOf = (baselinePerMinute: number) => {
    const limits: number[] = []
    if (c.perMinuteAbove !== undefined) limits.push(c.perMinuteAbove)
    if (c.baselineFactor !== undefined) limits.push(Math.max(c.baselineFactor * baselinePerMinute, c.minPerMinute))
    // Either limit fires the rule: the lower one is the threshold in effect.
    return Math.min(...limits)
  }
  // Each version against its own threshold; the one nearest (or furthest past) it speaks for the rule.
  let worst = { version: c.version ?? '', last: 0, minute: recent.settled, baselinePerMinute: 0, threshold: thresholdOf(0) }
  let breaching = false
  let clear = true
  for (const [version, v] of byVersion) {
    const baselinePerMinute = v.baseline / c.baselineMinutes
    const threshold = thresholdOf(baselinePerMinute)
    breaching ||= v.last > threshold
    clear &&= v.last <= threshold * (1 - c.resolveMargin)
    if (v.last / Math.max(threshold, 1e-9) > worst.last / Math.max(worst.threshold, 1e-9)) worst = { version, last: v.last, minute: v.minute, baselinePerMinute, threshold }
  }
  const summary =
    worst.last === 0
      ? `No socket reconnects since ${minuteName(recent.settled)}${c.version ? ` on ${c.version}` : ''}`
      : `Socket reconnects from ${worst.version}: ${worst.last} in the minute from ${minuteName(worst.minute)}${worst.minute === recent.settled ? '' : ' (counts so far)'} vs threshold ${fmt(worst.threshold)}` +
        ` (trailing ${c.baselineMinutes} min baseline ${fmt(worst.baselinePerMinute)}/min)`
  return { value: worst.last, threshold: worst.threshold, summary, breaching, clear }
}

export function measureBackendLoad(projectId: string, condition: BackendLoadCondition, ctx: MeasureContext): Promise<Measurement> {
  switch (condition.kind) {
    case 'stale_requests':
      return staleRequests(projectId, condition, ctx)
    case 'requests_per_tab':
      return perTab(projectId, condition, ctx)
    case 'reconnect_storm':
      return reconnectStorm(projectId, condition, ctx)
  }
}
