import { backendLoadMinutes } from '../figures/backend-load/read-minutes'
import { backendLoadNow, settledMinute } from '../figures/backend-load/read-now'
import { backendTabMinutes } from '../figures/backend-load/read-tab-minutes'
import { catalogFor } from '../releases/catalog'
import { requestsPerTab, type TabMinute } from '../semantics/backend-load'
import { latestReleaseAt } from '../semantics/version-order'
import type { MeasureContext, Measurement } from './measure'
import type { Condition } from './rule-schema'

// The backend-load rule kinds measured through the figure's own reads
// (lib/figures/backend-load/), at the latest minute whose counts have all
// arrived, so an alert and the dashboard count the same requests.

type BackendLoadCondition = Extract<Condition, { kind: 'stale_requests' | 'requests_per_tab' | 'reconnect_storm' }>

const MINUTE_MS = 60_000
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3))

function judge(value: number | null, threshold: number, margin: number, applies: boolean): Pick<Measurement, 'breaching' | 'clear'> {
  if (!applies || value === null) return { breaching: false, clear: true }
  return { breaching: value > threshold, clear: value <= threshold * (1 - margin) }
}

async function staleRequests(projectId: string, c: Extract<BackendLoadCondition, { kind: 'stale_requests' }>, ctx: MeasureContext): Promise<Measurement> {
  const windowSeconds = await ctx.windowSeconds(projectId)
  const [now, catalog] = await Promise.all([
    ctx.shared(`backendLoadNow\u0000${projectId}`, () => backendLoadNow({ projectId, at: ctx.now, windowSeconds })),
    catalogFor(projectId),
  ])
  const latest = latestReleaseAt(catalog, now.minute + MINUTE_MS)
  const inGrace = latest !== null && ctx.now < latest.releasedAt + c.graceMinutes * MINUTE_MS
  const value = now.staleRequestsPerSecond
  const worst = now.versions.filter((v) => v.stale).slice(0, 3)
  const summary =
    `Requests from versions older than ${latest?.version ?? 'the latest release'}: ${fmt(value)}/s vs threshold ${fmt(c.perSecondAbove)}/s` +
    (worst.length ? ` (${worst.map((v) => `${v.version} ${fmt(v.requestsPerSecond)}/s`).join(', ')})` : '') +
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
  const minute = settledMinute(ctx.now)
  const rows = await backendLoadMinutes({ projectId, from: minute - c.baselineMinutes * MINUTE_MS, to: minute + MINUTE_MS, kinds: ['ws_reconnect'] })
  const byVersion = new Map<string, { last: number; baseline: number }>()
  for (const r of rows) {
    if (c.version !== undefined && r.version !== c.version) continue
    const v = byVersion.get(r.version) ?? { last: 0, baseline: 0 }
    if (r.minute === minute) v.last += r.requests
    else v.baseline += r.requests
    byVersion.set(r.version, v)
  }
  const thresholdOf = (baselinePerMinute: number) => {
    const limits: number[] = []
    if (c.perMinuteAbove !== undefined) limits.push(c.perMinuteAbove)
    if (c.baselineFactor !== undefined) limits.push(Math.max(c.baselineFactor * baselinePerMinute, c.minPerMinute))
    // Either limit fires the rule: the lower one is the threshold in effect.
    return Math.min(...limits)
  }
  // Each version against its own threshold; the one nearest (or furthest past) it speaks for the rule.
  let worst = { version: c.version ?? '', last: 0, baselinePerMinute: 0, threshold: thresholdOf(0) }
  let breaching = false
  let clear = true
  for (const [version, v] of byVersion) {
    const baselinePerMinute = v.baseline / c.baselineMinutes
    const threshold = thresholdOf(baselinePerMinute)
    breaching ||= v.last > threshold
    clear &&= v.last <= threshold * (1 - c.resolveMargin)
    if (v.last / Math.max(threshold, 1e-9) > worst.last / Math.max(worst.threshold, 1e-9)) worst = { version, last: v.last, baselinePerMinute, threshold }
  }
  const summary =
    worst.last === 0
      ? `No socket reconnects in the minute from ${new Date(minute).toISOString().slice(11, 16)} UTC${c.version ? ` on ${c.version}` : ''}`
      : `Socket reconnects from ${worst.version}: ${worst.last} in the minute from ${new Date(minute).toISOString().slice(11, 16)} UTC vs threshold ${fmt(worst.threshold)}` +
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
