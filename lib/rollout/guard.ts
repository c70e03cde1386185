import { eventRateCondition } from '../alerts/rule-schema'
import { rateEventLabel } from '../figures/event-rates/read-rate'
import { listRules } from '../alerts/rule-store'
import { loadStates } from '../alerts/state-store'
import { MINUTE_MS } from './pace'
import { STORM_EVENTS_PER_ADDRESS_MINUTE, stormRate } from './storm-signal'
import { RECENT_GRANTS_MS, type Cause, type RecentGrant } from './wave'

// The guard of a reload wave: the signals that pause it (no new forced
// reload starts) and let it go on once they clear (docs/rollout.md, "Guard").
// - ingest_errors: 5xx (storage failing, shedding, shutting down) are at
//   least 5 % of this process's ingest answers over the guard window
//   (STALEWATCH_GUARD_WINDOW_SECONDS, default 60 s), with at least 10 answers;
//   it clears below half of that.
// - not_landing: of the forced reloads granted 3 to 15 minutes ago, those of
//   more than half of the addresses they went to (and at least 3 addresses)
//   have mostly not come back at or after the minimum: tabs reload onto the
//   old build (a CDN serving it still), or not at all. Counted by address
//   (hashed; each tab is its own where there is none, as on loopback): fake
//   tabs that take their reloads and never come back weigh one address each.
// - resume_storm / reconnect_storm: resumes, or returns from hidden, in the
//   last minute above the defaults of the alert rules' event_rate kind (5 ×
//   the trailing hour's rate, and above 10), counted as ingest accepted them
//   with each address counting at most a few a minute (storm-signal.ts); or
//   a project's own event_rate rule on them firing.
// A wave pauses on any cause and resumes after two evaluations in a row
// without one.

export const GUARD = {
  errorShare: 0.05,
  minAnswers: 10,
  landAfterMinutes: 3,
  landLookbackMinutes: RECENT_GRANTS_MS / MINUTE_MS,
  notLandedMin: 3,
  notLandedShare: 0.5,
  clearEvaluations: 2,
} as const

/** The built-in storm conditions: the event_rate defaults (5 × the trailing hour's rate, at least 10 a minute). */
export const STORM_CONDITIONS = {
  resume_storm: eventRateCondition.parse({ kind: 'event_rate', event: 'resume', baselineFactor: 5 }),
  reconnect_storm: eventRateCondition.parse({ kind: 'event_rate', event: 'visible', baselineFactor: 5 }),
} as const

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`

/** The ingest signal, given this process's answers over the window. `paused`: the lower bar a pause clears at. */
export function ingestCause(ingest: { answers: number; errors: number }, windowSeconds: number, paused: boolean): Cause | null {
  if (ingest.answers < GUARD.minAnswers) return null
  const share = ingest.errors / ingest.answers
  const bar = paused ? GUARD.errorShare / 2 : GUARD.errorShare
  if (share < bar) return null
  return {
    cause: 'ingest_errors',
    summary: `ingest answered ${ingest.errors} of ${ingest.answers} requests with 5xx in the last ${windowSeconds} s (${pct(share)}, pauses at ${pct(GUARD.errorShare)})`,
  }
}

/** The landing signal, from the wave's recent grants: one vote per address. */
export function landingCause(grants: readonly RecentGrant[], now: number): Cause | null {
  const to = now - GUARD.landAfterMinutes * MINUTE_MS
  const from = now - GUARD.landLookbackMinutes * MINUTE_MS
  const voters = new Map<string, { granted: number; landed: number }>()
  let granted = 0
  let landed = 0
  for (const g of grants) {
    if (g.at < from || g.at >= to) continue
    granted++
    if (g.landed) landed++
    const voter = g.source ? `a${g.source}` : `s${g.session}`
    const v = voters.get(voter) ?? { granted: 0, landed: 0 }
    v.granted++
    if (g.landed) v.landed++
    voters.set(voter, v)
  }
  let missing = 0
  for (const v of voters.values()) if (v.landed * 2 < v.granted) missing++
  if (missing < GUARD.notLandedMin || missing <= voters.size * GUARD.notLandedShare) return null
  return {
    cause: 'not_landing',
    summary: `${granted - landed} of ${granted} forced reloads granted ${GUARD.landAfterMinutes} to ${GUARD.landLookbackMinutes} minutes ago, to ${missing} of ${voters.size} addresses, have not come back at or after the minimum`,
  }
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

/** Resume and reconnect storms, by the alert rules' event_rate defaults over what ingest counted (storm-signal.ts). */
export async function stormCauses(projectId: string, now: number): Promise<Cause[]> {
  const causes: Cause[] = []
  for (const [cause, c] of Object.entries(STORM_CONDITIONS) as [Cause['cause'], (typeof STORM_CONDITIONS)['resume_storm']][]) {
    if (c.event !== 'resume' && c.event !== 'visible') continue
    const rate = stormRate(projectId, c.event, c.baselineMinutes, now)
    const threshold = Math.max((c.baselineFactor ?? 1) * rate.baselinePerMinute, c.minPerMinute)
    if (rate.lastMinute <= threshold) continue
    causes.push({
      cause,
      summary:
        `${rateEventLabel(c.event)} in the last minute: ${rate.lastMinute} vs threshold ${fmt(threshold)}` +
        ` (trailing ${c.baselineMinutes} min baseline ${fmt(rate.baselinePerMinute)}/min; at most ${STORM_EVENTS_PER_ADDRESS_MINUTE} a minute from one address)`,
    })
  }
  // The project's own event_rate rules for resumes or returns from hidden, firing now.
  const [rules, states] = await Promise.all([listRules({ projectId }), loadStates()])
  for (const rule of rules) {
    const c = rule.condition
    if (c.kind !== 'event_rate' || (c.event !== 'resume' && c.event !== 'visible') || states.get(rule.id)?.state !== 'firing') continue
    const cause = c.event === 'resume' ? 'resume_storm' : 'reconnect_storm'
    if (!causes.some((x) => x.cause === cause)) causes.push({ cause, summary: `alert rule "${rule.name}" is firing` })
  }
  return causes
}
