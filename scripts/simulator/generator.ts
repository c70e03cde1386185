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

import type { IngestEnvelope, Visibility, WireEvent } from '../../sdk/src/wire'
import { BEHAVIOUR, DAY, MINUTE, NEVER, latestVersionAt, type SimConfig, type SimEnvelope, type SimRelease, type TabPlan } from './model'
import { clamp, hash32, logNormal, logUniform, mulberry32, pick, uniform, type Rng } from './prng'
import { runTab } from './tab/run'

export { BEHAVIOUR, latestVersionAt, type SimEnvelope, type SimRelease } from './model'

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

export const SIMULATOR_DEFAULTS = {
  heartbeatMs: 60_000,
  preOpenFraction: 0.3,
  keepOpenFraction: 0.02,
  stragglerFraction: 0.1,
  clockSkewFraction: 0,
  maxClockSkewMs: 15 * MINUTE,
} as const

const ID_CHARS = /^[A-Za-z0-9_-]*$/

function fraction(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${v}`)
  return v
}

function checkVersion(v: string): void {
  if (v.length < 1 || v.length > 64) throw new RangeError(`version must be 1-64 characters: ${JSON.stringify(v)}`)
}

function resolveOptions(o: SimulatorOptions): SimConfig {
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

// ---- sessions -------------------------------------------------------------

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

function sessionId(cfg: SimConfig, index: number): string {
  return cfg.idPrefix + index.toString(36).padStart(Math.max(5, 8 - cfg.idPrefix.length), '0')
}

function planSession(cfg: SimConfig, index: number, arrivalMs: number | null): TabPlan {
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

function toSession(cfg: SimConfig, plan: TabPlan): SimSession {
  return {
    index: plan.index,
    id: plan.id,
    startMs: plan.startMs,
    closeMs: plan.closeMs,
    skewMs: plan.skewMs,
    preOpen: plan.preOpen,
    straggler: plan.straggler,
    version: plan.version,
    envelopes: () => runTab(cfg, plan),
  }
}

function* sessionsOf(cfg: SimConfig): Generator<SimSession, void, undefined> {
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
