import type { Navigation, Visibility, WireEvent } from '../../sdk/src/wire'

// The simulator's model, shared by the session planner (./generator.ts) and
// the simulated tab (./tab/): time units, releases, the envelopes it emits,
// the behaviour knobs, and the resolved options and per-session plan.

export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const NEVER = Number.POSITIVE_INFINITY

export interface SimRelease {
  readonly version: string
  /** Epoch ms the release went live. */
  readonly releasedAt: number
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

/** The options, checked and with defaults filled in. */
export interface SimConfig {
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

/** One session's plan: who it is and how it opens. */
export interface TabPlan {
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

