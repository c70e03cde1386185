// Deterministic generator of realistic Stalewatch traffic. Pure: no I/O, no
// clock, no Math.random. Everything follows from options.seed.
//
// One session is one browser tab. It opens at some time (some before the
// window), lives for a while (many tabs briefly, a long tail for hours or
// days), flips between visible and hidden, sometimes freezes, heartbeats every
// heartbeatMs while it runs (hidden too), and after each release it learns the
// latest version from the ingest answer and reacts: update prompt, a user
// reload, a forced reload, a chunk error, or nothing (stragglers).
//
// Output is streamed: generateSessions() yields sessions lazily and each
// session's envelopes() is a generator, so memory stays proportional to the
// sessions open at once, never to the number of events.

import type { IngestEnvelope, Navigation, ReloadReason, Visibility, WireEvent } from '../wire-format'
import {
  clamp,
  exponential,
  hash32,
  logNormal,
  logUniform,
  mulberry32,
  pick,
  uniform,
  type Rng,
} from './prng'

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const NEVER = Number.POSITIVE_INFINITY

export interface SimRelease {
  readonly version: string
  /** Epoch ms the release went live. */
  readonly releasedAt: number
}

export interface SimulatorOptions {
  /** Number of sessions (tabs): those already open at startMs plus those opening inside the window. */
  sessions: number
  /** Window start, epoch ms (true time). No event is produced before it. */
  startMs: number
  /** Window end, epoch ms (exclusive). Sessions still open at endMs simply stop. */
  endMs: number
  /** Releases in any order; the latest with releasedAt <= t is what a load at t gets. */
  releases: readonly SimRelease[]
  seed: number
  /** SDK heartbeat period, default 60 000 ms; at least 5 000. */
  heartbeatMs?: number
  /** Version of tabs loaded before the first release; default the first release's version. */
  initialVersion?: string
  /** Share of sessions already open at startMs (length-biased: mostly long-lived tabs), default 0.3. */
  preOpenFraction?: number
  /** Share of sessions never closed before endMs (pinned tabs, wall dashboards), default 0.02. */
  keepOpenFraction?: number
  /** Share of sessions that never upgrade on their own (prompts dismissed, no reloads), default 0.1. */
  stragglerFraction?: number
  /** Share of sessions whose client clock is off by minutes, default 0. */
  clockSkewFraction?: number
  /** Largest clock offset of a skewed client, default 15 min. Offsets are at least min(1 min, this/2). */
  maxClockSkewMs?: number
  /** Prefix of session ids (default derived from the seed), [A-Za-z0-9_-], at most 24 chars. */
  idPrefix?: string
}

/** One POST /api/ingest body as the SDK would send it, plus the simulator's ground truth. */
export interface SimEnvelope {
  session: string
  load: string
  version: string
  /** Client clock when sent: at + skewMs. */
  sentAt: number
  events: WireEvent[]
  /** True time the request is sent (epoch ms); envelopes of a session come in ascending `at`. */
  at: number
  /** The client's clock offset; every ts and sentAt in this envelope is true time + skewMs. */
  skewMs: number
}

export interface SimSession {
  index: number
  id: string
  /** True time the tab opened; before options.startMs for pre-open sessions. */
  startMs: number
  /** True time the tab closes; may be after endMs; Infinity for keep-open tabs. */
  closeMs: number
  skewMs: number
  /** Already open when the window starts (its first load is not in the output). */
  preOpen: boolean
  /** Never upgrades by itself. */
  straggler: boolean
  /** Version of the session's first load. */
  version: string
  /** Replays the session's envelopes from the start (deterministic; call as often as you like). */
  envelopes(): Generator<SimEnvelope, void, undefined>
}

/** Knobs of the behaviour model, exported so tests and the benchmark can reason about them. */
export const BEHAVIOUR = {
  /** Lifetime of a tab opening inside the window. */
  lifetime: { short: 0.5, medium: 0.35, long: 0.15 },
  /** Lifetime of a tab already open at the window start (length-biased). */
  preOpenLifetime: { medium: 0.3, long: 0.7 },
  shortLifetime: { medianMs: 4 * MINUTE, sigma: 1, minMs: 15 * SECOND, maxMs: 2 * HOUR },
  mediumLifetime: { medianMs: 40 * MINUTE, sigma: 0.8, minMs: 5 * MINUTE, maxMs: 8 * HOUR },
  longLifetime: { minMs: 3 * HOUR, maxMs: 5 * DAY },
  /** Probability a new tab opens in the background; a pre-open tab is hidden at startMs. */
  hiddenAtOpen: 0.1,
  hiddenAtWindowStart: 0.6,
  firstNavigation: { navigate: 0.95, back_forward: 0.03, prerender: 0.02 },
  visibleMeanMs: 5 * MINUTE,
  hiddenMedianMs: 6 * MINUTE,
  hiddenSigma: 1.6,
  /** Probability a hidden period ends in a freeze, 5–15 min after hiding if still hidden. */
  freezeShare: 0.15,
  /** Reaction of a non-straggler to an update it learned about. */
  reaction: { prompt: 0.45, user: 0.27, forced: 0.05, chunk_error: 0.08, app: 0.03, none: 0.12 },
  promptAccept: 0.78,
  promptAcceptMedianMs: 45 * SECOND,
  /** After a dismissed prompt, the person reloads later with this probability. */
  reloadAfterDismiss: 0.5,
  /** A straggler is shown the prompt (and dismisses it) with this probability. */
  stragglerSeesPrompt: 0.3,
  userReloadMeanMs: 35 * MINUTE,
  chunkErrorMeanMs: 20 * MINUTE,
  appReloadMeanMs: 30 * MINUTE,
  forcedDelayMs: { min: 30 * SECOND, max: 10 * MINUTE },
  /** Reloads and in-tab navigations that have nothing to do with releases (non-stragglers). */
  spontaneousReloadMeanMs: 4 * HOUR,
  navigateMeanMs: 3 * HOUR,
  reloadDurationMs: { min: 200, max: 2_500 },
} as const

export const SIMULATOR_DEFAULTS = {
  heartbeatMs: 60_000,
  preOpenFraction: 0.3,
  keepOpenFraction: 0.02,
  stragglerFraction: 0.1,
  clockSkewFraction: 0,
  maxClockSkewMs: 15 * MINUTE,
} as const

const ID_CHARS = /^[A-Za-z0-9_-]*$/

interface Config {
  sessions: number
  startMs: number
  endMs: number
  heartbeatMs: number
  releases: SimRelease[]
  initialVersion: string
  preOpenCount: number
  keepOpenFraction: number
  stragglerFraction: number
  clockSkewFraction: number
  maxClockSkewMs: number
  seed: number
  idPrefix: string
}

function fraction(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${v}`)
  return v
}

function checkVersion(v: string): void {
  if (v.length < 1 || v.length > 64) throw new RangeError(`version must be 1-64 characters: ${JSON.stringify(v)}`)
}

function resolveOptions(o: SimulatorOptions): Config {
  if (!Number.isInteger(o.sessions) || o.sessions < 0) throw new RangeError(`sessions must be a non-negative integer, got ${o.sessions}`)
  if (!Number.isFinite(o.startMs) || !Number.isFinite(o.endMs) || o.endMs <= o.startMs) {
    throw new RangeError(`need finite startMs < endMs, got ${o.startMs}..${o.endMs}`)
  }
  const heartbeatMs = o.heartbeatMs ?? SIMULATOR_DEFAULTS.heartbeatMs
  if (!(heartbeatMs >= 5_000)) throw new RangeError(`heartbeatMs must be at least 5000, got ${heartbeatMs}`)
  const releases = [...o.releases].sort((a, b) => a.releasedAt - b.releasedAt)
  for (const r of releases) {
    checkVersion(r.version)
    if (!Number.isFinite(r.releasedAt)) throw new RangeError(`releasedAt of ${r.version} is not a number`)
  }
  const initialVersion = o.initialVersion ?? releases[0]?.version
  if (initialVersion === undefined) throw new RangeError('give at least one release or an initialVersion')
  checkVersion(initialVersion)
  const seed = Math.trunc(o.seed) >>> 0
  const idPrefix = o.idPrefix ?? hash32(seed, 0x1d).toString(36).padStart(7, '0').slice(0, 6)
  if (!ID_CHARS.test(idPrefix) || idPrefix.length > 24) throw new RangeError(`idPrefix must be at most 24 of [A-Za-z0-9_-]: ${idPrefix}`)
  const maxClockSkewMs = o.maxClockSkewMs ?? SIMULATOR_DEFAULTS.maxClockSkewMs
  if (!(maxClockSkewMs >= 0 && Number.isFinite(maxClockSkewMs))) throw new RangeError('maxClockSkewMs must be >= 0')
  return {
    sessions: o.sessions,
    startMs: Math.floor(o.startMs),
    endMs: Math.floor(o.endMs),
    heartbeatMs,
    releases,
    initialVersion,
    preOpenCount: Math.round(o.sessions * fraction('preOpenFraction', o.preOpenFraction, SIMULATOR_DEFAULTS.preOpenFraction)),
    keepOpenFraction: fraction('keepOpenFraction', o.keepOpenFraction, SIMULATOR_DEFAULTS.keepOpenFraction),
    stragglerFraction: fraction('stragglerFraction', o.stragglerFraction, SIMULATOR_DEFAULTS.stragglerFraction),
    clockSkewFraction: fraction('clockSkewFraction', o.clockSkewFraction, SIMULATOR_DEFAULTS.clockSkewFraction),
    maxClockSkewMs,
    seed,
    idPrefix,
  }
}

/** The version a load at time t gets: the latest release with releasedAt <= t (releases sorted ascending). */
export function latestVersionAt(releases: readonly SimRelease[], t: number, initialVersion: string): string {
  let lo = 0
  let hi = releases.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (releases[mid]!.releasedAt <= t) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? initialVersion : releases[lo - 1]!.version
}

// ---- sessions -------------------------------------------------------------

interface Plan {
  index: number
  id: string
  preOpen: boolean
  startMs: number
  closeMs: number
  skewMs: number
  straggler: boolean
  version: string
  visibility: Visibility
  navigation: Navigation
}

function lifetime(rng: Rng, kind: 'short' | 'medium' | 'long'): number {
  if (kind === 'short') {
    const b = BEHAVIOUR.shortLifetime
    return clamp(logNormal(rng, b.medianMs, b.sigma), b.minMs, b.maxMs)
  }
  if (kind === 'medium') {
    const b = BEHAVIOUR.mediumLifetime
    return clamp(logNormal(rng, b.medianMs, b.sigma), b.minMs, b.maxMs)
  }
  return logUniform(rng, BEHAVIOUR.longLifetime.minMs, BEHAVIOUR.longLifetime.maxMs)
}

function sessionId(cfg: Config, index: number): string {
  return cfg.idPrefix + index.toString(36).padStart(Math.max(5, 8 - cfg.idPrefix.length), '0')
}

function planSession(cfg: Config, index: number, arrivalMs: number | null): Plan {
  const rng = mulberry32(hash32(cfg.seed, index, 0x5e55))
  const keepOpen = rng() < cfg.keepOpenFraction
  const straggler = rng() < cfg.stragglerFraction
  let skewMs = 0
  if (rng() < cfg.clockSkewFraction && cfg.maxClockSkewMs > 0) {
    const min = Math.min(MINUTE, cfg.maxClockSkewMs / 2)
    skewMs = Math.round(uniform(rng, min, cfg.maxClockSkewMs)) * (rng() < 0.5 ? -1 : 1)
  }
  let startMs: number
  let closeMs: number
  let visibility: Visibility
  if (arrivalMs === null) {
    const total = keepOpen ? NEVER : lifetime(rng, pick(rng, BEHAVIOUR.preOpenLifetime))
    const age = keepOpen ? logUniform(rng, 10 * MINUTE, 3 * DAY) : uniform(rng, 0, total - MINUTE)
    startMs = cfg.startMs - Math.ceil(age) - 1
    closeMs = keepOpen ? NEVER : cfg.startMs + Math.round(total - age)
    visibility = rng() < BEHAVIOUR.hiddenAtWindowStart ? 'hidden' : 'visible'
  } else {
    startMs = arrivalMs
    closeMs = keepOpen ? NEVER : startMs + Math.round(lifetime(rng, pick(rng, BEHAVIOUR.lifetime)))
    visibility = rng() < BEHAVIOUR.hiddenAtOpen ? 'hidden' : 'visible'
  }
  return {
    index,
    id: sessionId(cfg, index),
    preOpen: arrivalMs === null,
    startMs,
    closeMs,
    skewMs,
    straggler,
    version: latestVersionAt(cfg.releases, startMs, cfg.initialVersion),
    visibility,
    navigation: pick(rng, BEHAVIOUR.firstNavigation),
  }
}

function toSession(cfg: Config, plan: Plan): SimSession {
  return {
    index: plan.index,
    id: plan.id,
    startMs: plan.startMs,
    closeMs: plan.closeMs,
    skewMs: plan.skewMs,
    preOpen: plan.preOpen,
    straggler: plan.straggler,
    version: plan.version,
    envelopes: () => runSession(cfg, plan),
  }
}

function* sessionsOf(cfg: Config): Generator<SimSession, void, undefined> {
  for (let i = 0; i < cfg.preOpenCount; i++) yield toSession(cfg, planSession(cfg, i, null))
  // Arrival times: the sorted order statistics of uniforms on [startMs, endMs),
  // drawn one at a time so nothing is held in memory.
  const arrivals = cfg.sessions - cfg.preOpenCount
  const master = mulberry32(hash32(cfg.seed, 0xa771e))
  const span = cfg.endMs - cfg.startMs
  let u = 0
  for (let k = 0; k < arrivals; k++) {
    u = 1 - (1 - u) * Math.pow(1 - master(), 1 / (arrivals - k))
    const at = Math.min(cfg.startMs + Math.floor(u * span), cfg.endMs - 1)
    yield toSession(cfg, planSession(cfg, cfg.preOpenCount + k, at))
  }
}

/**
 * Sessions in order of opening (those already open at startMs first), lazily.
 * Iterate a session's envelopes() to get its traffic.
 */
export function generateSessions(options: SimulatorOptions): Generator<SimSession, void, undefined> {
  return sessionsOf(resolveOptions(options))
}

/** Every envelope, session after session (each session's envelopes in time order). */
export function* generateEnvelopes(options: SimulatorOptions): Generator<SimEnvelope, void, undefined> {
  for (const s of generateSessions(options)) yield* s.envelopes()
}

// ---- one tab --------------------------------------------------------------

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type EventBody = DistributiveOmit<WireEvent, 'id' | 'ts'>

type Action =
  | { kind: 'prompt_show' }
  | { kind: 'prompt_accept' }
  | { kind: 'prompt_dismiss' }
  | { kind: 'reload'; reason: ReloadReason }

function needsVisible(a: Action): boolean {
  if (a.kind === 'prompt_show') return true
  if (a.kind === 'reload') return a.reason === 'user' || a.reason === 'update_prompt' || a.reason === 'chunk_error'
  return false
}

function* runSession(cfg: Config, plan: Plan): Generator<SimEnvelope, void, undefined> {
  const rng = mulberry32(hash32(cfg.seed, plan.index, 0x7ab5))
  const hb = cfg.heartbeatMs
  const end = Math.min(plan.closeMs, cfg.endMs)
  const skew = plan.skewMs
  const B = BEHAVIOUR

  let seq = 0
  let loadNo = 0
  let load = `${plan.id}_0`
  let version = plan.version
  let vis: Visibility = plan.visibility
  let frozen = false
  let closed = false
  let lastT = Number.NEGATIVE_INFINITY
  let notifiedFor: string | null = null
  let action: Action | null = null
  let deferred: Action | null = null

  let tHb = NEVER
  let tVis = NEVER
  let tFreeze = NEVER
  let tNotify = NEVER
  let tAction = NEVER
  let tSpont = NEVER
  let tNav = NEVER

  // Next heartbeat: a little under hb after the previous one, so gaps never exceed hb.
  const gap = () => hb - uniform(rng, 100, 1_000)
  const visibleFor = () => clamp(exponential(rng, B.visibleMeanMs), 3 * SECOND, 2 * HOUR)
  const hiddenFor = () => clamp(logNormal(rng, B.hiddenMedianMs, B.hiddenSigma), 3 * SECOND, 3 * DAY)
  const durationOf = (v: Visibility) => (v === 'visible' ? visibleFor() : hiddenFor())
  const maybeFreeze = (t: number) => {
    tFreeze = rng() < B.freezeShare ? t + uniform(rng, 5 * MINUTE, 15 * MINUTE) : NEVER
  }
  const scheduleUnprompted = (t: number) => {
    if (plan.straggler) return
    tSpont = t + exponential(rng, B.spontaneousReloadMeanMs)
    tNav = t + exponential(rng, B.navigateMeanMs)
  }

  /** Stamps events (ts strictly ascending within the session) and wraps them in an envelope. */
  const make = (t: number, bodies: EventBody[]): SimEnvelope => {
    const events: WireEvent[] = []
    let ts = Math.round(t)
    for (const body of bodies) {
      ts = Math.max(ts, lastT + 1)
      events.push({ id: `${plan.id}-${(seq++).toString(36)}`, ts: ts + skew, ...body } as WireEvent)
      lastT = ts
    }
    const at = lastT + Math.floor(rng() * 20)
    lastT = at
    return { session: plan.id, load, version, sentAt: at + skew, events, at, skewMs: skew }
  }
  const firstTs = (env: SimEnvelope) => env.events[0]!.ts - skew

  /** The ingest answer carries `latest`: a stale tab learns of the release right after any request. */
  const answered = (at: number) => {
    if (tNotify !== NEVER) return
    const latest = latestVersionAt(cfg.releases, at, cfg.initialVersion)
    if (latest !== version && latest !== notifiedFor) tNotify = at + uniform(rng, 30, 300)
  }

  const react = (t: number) => {
    if (plan.straggler) {
      if (rng() < B.stragglerSeesPrompt) {
        action = { kind: 'prompt_show' }
        tAction = t + uniform(rng, 500, 4_000)
      }
      return
    }
    switch (pick(rng, B.reaction)) {
      case 'prompt':
        action = { kind: 'prompt_show' }
        tAction = t + uniform(rng, 500, 4_000)
        break
      case 'user':
        action = { kind: 'reload', reason: 'user' }
        tAction = t + exponential(rng, B.userReloadMeanMs)
        break
      case 'forced':
        action = { kind: 'reload', reason: 'forced' }
        tAction = t + uniform(rng, B.forcedDelayMs.min, B.forcedDelayMs.max)
        break
      case 'chunk_error':
        action = { kind: 'reload', reason: 'chunk_error' }
        tAction = t + exponential(rng, B.chunkErrorMeanMs)
        break
      case 'app':
        action = { kind: 'reload', reason: 'app' }
        tAction = t + exponential(rng, B.appReloadMeanMs)
        break
      case 'none':
        break
    }
  }

  const chunkError = (): EventBody => {
    const chunk = Math.floor(rng() * 900) + 100
    const hash = Math.floor(rng() * 0xffffffff).toString(16).padStart(8, '0')
    return {
      type: 'error',
      message: `ChunkLoadError: Loading chunk ${chunk} failed. (error: /_next/static/chunks/${chunk}-${hash}.js)`,
    }
  }

  /** Leaves the current load (reporting why, unless it is the browser's own reload) and starts the next. */
  function* nextLoad(t: number, navigation: Navigation, reason: ReloadReason | null, pre: EventBody[]): Generator<SimEnvelope, void, undefined> {
    const bodies: EventBody[] = [...pre]
    if (reason === 'chunk_error') bodies.unshift(chunkError())
    if (reason !== null && reason !== 'user') bodies.push({ type: 'reload', reason })
    if (bodies.length > 0) yield make(t, bodies)
    // The new page is up before the old one's next heartbeat would have been due.
    const loadAt = Math.max(lastT + 1, Math.min(t + uniform(rng, B.reloadDurationMs.min, B.reloadDurationMs.max), tHb))
    if (loadAt >= end) {
      closed = true
      return
    }
    const previousVersion = version
    loadNo++
    load = `${plan.id}_${loadNo.toString(36)}`
    version = latestVersionAt(cfg.releases, loadAt, cfg.initialVersion)
    if (navigation !== 'reload' || reason === 'user' || reason === 'update_prompt' || reason === 'chunk_error') vis = 'visible'
    frozen = false
    const env = make(loadAt, [{ type: 'load', visibility: vis, navigation, previousVersion }])
    yield env
    tHb = firstTs(env) + gap()
    action = null
    deferred = null
    tAction = NEVER
    tNotify = NEVER
    notifiedFor = null
    if (tVis <= env.at) tVis = env.at + durationOf(vis)
    if (vis === 'hidden') maybeFreeze(env.at)
    else tFreeze = NEVER
    scheduleUnprompted(env.at)
    answered(env.at)
  }

  // ---- opening ----
  let t0: number
  if (plan.preOpen) {
    t0 = cfg.startMs
    tHb = t0 + Math.floor(rng() * hb)
  } else {
    t0 = plan.startMs
    if (t0 >= end) return
    const env = make(t0, [{ type: 'load', visibility: vis, navigation: plan.navigation }])
    yield env
    tHb = firstTs(env) + gap()
    answered(env.at)
  }
  tVis = t0 + durationOf(vis)
  if (vis === 'hidden') maybeFreeze(t0)
  scheduleUnprompted(t0)

  // ---- life ----
  for (;;) {
    let t = end
    let which = 0
    if (frozen) {
      if (tVis < t) { t = tVis; which = 2 }
    } else {
      if (tHb < t) { t = tHb; which = 1 }
      if (tVis < t) { t = tVis; which = 2 }
      if (tFreeze < t) { t = tFreeze; which = 3 }
      if (tNotify < t) { t = tNotify; which = 4 }
      if (tAction < t) { t = tAction; which = 5 }
      if (tSpont < t) { t = tSpont; which = 6 }
      if (tNav < t) { t = tNav; which = 7 }
    }
    if (which === 0) return

    switch (which) {
      case 1: {
        const env = make(t, [{ type: 'heartbeat', visibility: vis }])
        yield env
        tHb = firstTs(env) + gap()
        answered(env.at)
        break
      }
      case 2: {
        let env: SimEnvelope
        if (frozen) {
          frozen = false
          vis = 'visible'
          env = make(t, [{ type: 'resume' }, { type: 'visibility', visibility: 'visible' }])
          yield env
          tHb = env.at + gap()
          // Timers that fell due while frozen run right after the page wakes up.
          const wake = (x: number) => (x < env.at ? env.at + uniform(rng, 100, 2_000) : x)
          tNotify = wake(tNotify)
          tAction = wake(tAction)
          tSpont = wake(tSpont)
          tNav = wake(tNav)
        } else {
          vis = vis === 'visible' ? 'hidden' : 'visible'
          env = make(t, [{ type: 'visibility', visibility: vis }])
          yield env
        }
        tVis = env.at + durationOf(vis)
        if (vis === 'hidden') {
          maybeFreeze(env.at)
        } else {
          tFreeze = NEVER
          if (deferred !== null) {
            const a: Action = deferred
            deferred = null
            action = a
            tAction =
              env.at +
              (a.kind === 'prompt_show'
                ? uniform(rng, 1_000, 5_000)
                : clamp(logNormal(rng, 2 * MINUTE, 1), 5 * SECOND, 30 * MINUTE))
          }
        }
        answered(env.at)
        break
      }
      case 3: {
        yield make(t, [{ type: 'freeze' }])
        frozen = true
        tFreeze = NEVER
        break
      }
      case 4: {
        tNotify = NEVER
        const latest = latestVersionAt(cfg.releases, t, cfg.initialVersion)
        if (latest !== version && latest !== notifiedFor) {
          notifiedFor = latest
          yield make(t, [{ type: 'update_available', latest }])
          if (action === null && deferred === null) react(t)
        }
        break
      }
      case 5: {
        const a = action as Action
        action = null
        tAction = NEVER
        if (needsVisible(a) && vis === 'hidden') {
          deferred = a
          break
        }
        if (a.kind === 'prompt_show') {
          yield make(t, [{ type: 'update_prompt', action: 'shown' }])
          if (!plan.straggler && rng() < B.promptAccept) {
            action = { kind: 'prompt_accept' }
            tAction = t + clamp(logNormal(rng, B.promptAcceptMedianMs, 1), 2 * SECOND, 20 * MINUTE)
          } else {
            action = { kind: 'prompt_dismiss' }
            tAction = t + clamp(logNormal(rng, 15 * SECOND, 0.8), 1 * SECOND, 5 * MINUTE)
          }
        } else if (a.kind === 'prompt_accept') {
          yield* nextLoad(t, 'reload', 'update_prompt', [{ type: 'update_prompt', action: 'accepted' }])
        } else if (a.kind === 'prompt_dismiss') {
          yield make(t, [{ type: 'update_prompt', action: 'dismissed' }])
          if (!plan.straggler && rng() < B.reloadAfterDismiss) {
            action = { kind: 'reload', reason: 'user' }
            tAction = t + exponential(rng, 45 * MINUTE)
          }
        } else {
          yield* nextLoad(t, 'reload', a.reason, [])
        }
        break
      }
      case 6: {
        if (vis === 'visible') yield* nextLoad(t, 'reload', 'user', [])
        else tSpont = t + exponential(rng, B.spontaneousReloadMeanMs)
        break
      }
      case 7: {
        if (vis === 'visible') yield* nextLoad(t, rng() < 0.25 ? 'back_forward' : 'navigate', null, [])
        else tNav = t + exponential(rng, B.navigateMeanMs)
        break
      }
    }
    if (closed) return
  }
}

// ---- helpers for consumers ----------------------------------------------

/** The body to POST: the wire envelope without the simulator's ground truth. */
export function toIngestEnvelope(env: SimEnvelope, key?: string): IngestEnvelope {
  const body: IngestEnvelope = { session: env.session, load: env.load, version: env.version, sentAt: env.sentAt, events: env.events }
  return key === undefined ? body : { key, ...body }
}

/** True time of an event (what the server's clock correction should recover). */
export function trueEventTime(env: SimEnvelope, event: WireEvent): number {
  return event.ts - env.skewMs
}
