import type { ReloadReason, Visibility, WireEvent } from '../../../sdk/src/wire'
import { BEHAVIOUR, DAY, HOUR, MINUTE, NEVER, SECOND, latestVersionAt, type SimConfig, type SimEnvelope, type TabPlan } from '../model'
import { clamp, exponential, hash32, logNormal, mulberry32, pick, uniform, type Rng } from '../prng'

// One simulated browser tab: its state, and the helpers its timers share.
// A tab lives by named timers (./run.ts takes the earliest due one), each in
// its own file; every random draw comes from the tab's own generator, in the
// order the timers fire, so a seed replays the same traffic.

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
export type EventBody = DistributiveOmit<WireEvent, 'id' | 'ts'>

export type Action =
  | { kind: 'prompt_show' }
  | { kind: 'prompt_accept' }
  | { kind: 'prompt_dismiss' }
  | { kind: 'reload'; reason: ReloadReason }

/** The tab's timers, in the order a tie is broken: the first one due runs. */
export const TIMERS = ['heartbeat', 'visibility', 'freeze', 'notice', 'action', 'spontaneousReload', 'navigate'] as const
export type TimerName = (typeof TIMERS)[number]

export interface Tab {
  readonly cfg: SimConfig
  readonly plan: TabPlan
  readonly rng: Rng
  /** The tab stops at its close or at the window's end. */
  readonly end: number
  seq: number
  loadNo: number
  load: string
  /** True time the current page load started (a skew error's age counts from it). */
  loadedAt: number
  version: string
  vis: Visibility
  frozen: boolean
  closed: boolean
  /** True time of the last event or send, so timestamps only go up. */
  lastT: number
  /** The latest version the tab was told of, once it reacted to it. */
  notifiedFor: string | null
  action: Action | null
  /** An action waiting for the tab to be shown. */
  deferred: Action | null
  /** When each timer is due next (NEVER when not set). */
  due: Record<TimerName, number>
}

export function openTab(cfg: SimConfig, plan: TabPlan): Tab {
  return {
    cfg,
    plan,
    rng: mulberry32(hash32(cfg.seed, plan.index, 0x7ab5)),
    end: Math.min(plan.closeMs, cfg.endMs),
    seq: 0,
    loadNo: 0,
    load: `${plan.id}_0`,
    loadedAt: plan.startMs,
    version: plan.version,
    vis: plan.visibility,
    frozen: false,
    closed: false,
    lastT: Number.NEGATIVE_INFINITY,
    notifiedFor: null,
    action: null,
    deferred: null,
    due: Object.fromEntries(TIMERS.map((t) => [t, NEVER])) as Record<TimerName, number>,
  }
}

export function needsVisible(a: Action): boolean {
  if (a.kind === 'prompt_show') return true
  if (a.kind === 'reload') return a.reason === 'user' || a.reason === 'update_prompt' || a.reason === 'chunk_error'
  return false
}

/** Next heartbeat: a little under the period after the previous one, so gaps never exceed it. */
export const gap = (tab: Tab) => tab.cfg.heartbeatMs - uniform(tab.rng, 100, 1_000)
const visibleFor = (tab: Tab) => clamp(exponential(tab.rng, BEHAVIOUR.visibleMeanMs), 3 * SECOND, 2 * HOUR)
const hiddenFor = (tab: Tab) => clamp(logNormal(tab.rng, BEHAVIOUR.hiddenMedianMs, BEHAVIOUR.hiddenSigma), 3 * SECOND, 3 * DAY)
export const durationOf = (tab: Tab, v: Visibility) => (v === 'visible' ? visibleFor(tab) : hiddenFor(tab))

export function maybeFreeze(tab: Tab, t: number): void {
  tab.due.freeze = tab.rng() < BEHAVIOUR.freezeShare ? t + uniform(tab.rng, 5 * MINUTE, 15 * MINUTE) : NEVER
}

/** Reloads and navigations that have nothing to do with releases (never for a straggler). */
export function scheduleUnprompted(tab: Tab, t: number): void {
  if (tab.plan.straggler) return
  tab.due.spontaneousReload = t + exponential(tab.rng, BEHAVIOUR.spontaneousReloadMeanMs)
  tab.due.navigate = t + exponential(tab.rng, BEHAVIOUR.navigateMeanMs)
}

/** Stamps events (ts strictly ascending within the session) and wraps them in an envelope. */
export function make(tab: Tab, t: number, bodies: EventBody[]): SimEnvelope {
  const skew = tab.plan.skewMs
  const events: WireEvent[] = []
  let ts = Math.round(t)
  for (const body of bodies) {
    ts = Math.max(ts, tab.lastT + 1)
    events.push({ id: `${tab.plan.id}-${(tab.seq++).toString(36)}`, ts: ts + skew, ...body } as WireEvent)
    tab.lastT = ts
  }
  const at = tab.lastT + Math.floor(tab.rng() * 20)
  tab.lastT = at
  return { session: tab.plan.id, load: tab.load, version: tab.version, sentAt: at + skew, events, at, skewMs: skew }
}

/** True time of an envelope's first event. */
export const firstTs = (tab: Tab, env: SimEnvelope) => env.events[0]!.ts - tab.plan.skewMs

/** The ingest answer carries `latest`: a stale tab learns of the release right after any request. */
export function answered(tab: Tab, at: number): void {
  if (tab.due.notice !== NEVER) return
  const latest = latestVersionAt(tab.cfg.releases, at, tab.cfg.initialVersion)
  if (latest !== tab.version && latest !== tab.notifiedFor) tab.due.notice = at + uniform(tab.rng, 30, 300)
}

/** What the person (or the app) does about an update it learned of. */
export function react(tab: Tab, t: number): void {
  const { rng } = tab
  const schedule = (action: Action, at: number) => {
    tab.action = action
    tab.due.action = at
  }
  if (tab.plan.straggler) {
    if (rng() < BEHAVIOUR.stragglerSeesPrompt) schedule({ kind: 'prompt_show' }, t + uniform(rng, 500, 4_000))
    return
  }
  switch (pick(rng, BEHAVIOUR.reaction)) {
    case 'prompt':
      return schedule({ kind: 'prompt_show' }, t + uniform(rng, 500, 4_000))
    case 'user':
      return schedule({ kind: 'reload', reason: 'user' }, t + exponential(rng, BEHAVIOUR.userReloadMeanMs))
    case 'forced':
      return schedule({ kind: 'reload', reason: 'forced' }, t + uniform(rng, BEHAVIOUR.forcedDelayMs.min, BEHAVIOUR.forcedDelayMs.max))
    case 'chunk_error':
      return schedule({ kind: 'reload', reason: 'chunk_error' }, t + exponential(rng, BEHAVIOUR.chunkErrorMeanMs))
    case 'app':
      return schedule({ kind: 'reload', reason: 'app' }, t + exponential(rng, BEHAVIOUR.appReloadMeanMs))
    case 'none':
      return
  }
}
