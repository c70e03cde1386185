// `npm run simulate -- --storm`: the incident issue 17 starts from, as a plan
// the simulator replays against the wall clock. Pure.
//
// Tabs of a web app on three builds: the latest (released 3 hours ago), the
// one before it (a day old) and an old build from two days ago, mostly in
// background tabs left open since. All poll the app's backend and hold a
// socket. Then the backend blips: every socket drops at once, and for a
// while the backend refuses. The latest and previous builds reconnect with
// backoff; the old build reconnects at once and again every second, polls as
// a fallback meanwhile and resyncs in a burst once it is back: a reconnect
// storm by version, which the dashboard and a reconnect_storm rule show.

import { hash32, mulberry32 } from './prng'
import { calendarVersion } from './plan'
import type { SimRelease } from './model'

const HOUR = 3_600_000
const DAY = 24 * HOUR

export interface StormOptions {
  nowMs: number
  /** Tabs open during the storm. */
  tabs: number
  seed: number
  /** Share of tabs on the old build (default 0.3) and on the build before the latest (0.15). */
  oldShare?: number
  previousShare?: number
  /** Before the blip, the blip itself, and after it. */
  calmMs: number
  blipMs: number
  afterMs: number
}

export type StormBuild = 'old' | 'previous' | 'latest'

export interface StormTab {
  session: string
  load: string
  version: string
  build: StormBuild
  hidden: boolean
}

export interface StormPlan {
  releases: SimRelease[]
  versions: Record<StormBuild, string>
  tabs: StormTab[]
  startAt: number
  blipAt: number
  blipMs: number
  endAt: number
  /** The rule the run creates: a reconnect storm of any version, above 8 reconnects a minute per simulated tab. */
  rule: { kind: 'reconnect_storm'; baselineFactor: number; baselineMinutes: number; minPerMinute: number; forMinutes: number }
}

/** Share of each build's tabs in the background: the old build's were left open for days. */
const HIDDEN: Record<StormBuild, number> = { old: 0.9, previous: 0.5, latest: 0.3 }

export function planStorm(o: StormOptions): StormPlan {
  if (!Number.isInteger(o.tabs) || o.tabs < 3) throw new RangeError(`tabs must be a whole number of at least 3, got ${o.tabs}`)
  const oldShare = o.oldShare ?? 0.3
  const previousShare = o.previousShare ?? 0.15
  const releases: SimRelease[] = [
    { version: calendarVersion(o.nowMs - 2 * DAY), releasedAt: o.nowMs - 2 * DAY },
    { version: calendarVersion(o.nowMs - DAY), releasedAt: o.nowMs - DAY },
    { version: calendarVersion(o.nowMs - 3 * HOUR), releasedAt: o.nowMs - 3 * HOUR },
  ]
  const versions: Record<StormBuild, string> = { old: releases[0]!.version, previous: releases[1]!.version, latest: releases[2]!.version }
  const rng = mulberry32(hash32(o.seed, 0x5707))
  // Ids differ per run: a repeated --seed must not resend ids the server already has.
  const prefix = `st${hash32(o.seed, Math.floor(o.nowMs / 1000)).toString(36).padStart(7, '0').slice(0, 6)}`
  const old = Math.max(1, Math.round(o.tabs * oldShare))
  const previous = Math.max(1, Math.round(o.tabs * previousShare))
  const tabs: StormTab[] = Array.from({ length: o.tabs }, (_, i) => {
    const build: StormBuild = i < old ? 'old' : i < old + previous ? 'previous' : 'latest'
    const session = `${prefix}${i.toString(36).padStart(4, '0')}`
    return { session, load: `${session}_0`, version: versions[build], build, hidden: rng() < HIDDEN[build] }
  })
  const blipAt = o.nowMs + o.calmMs
  return {
    releases,
    versions,
    tabs,
    startAt: o.nowMs,
    blipAt,
    blipMs: o.blipMs,
    endAt: blipAt + o.blipMs + o.afterMs,
    rule: { kind: 'reconnect_storm', baselineFactor: 5, baselineMinutes: 30, minPerMinute: 8 * o.tabs, forMinutes: 0 },
  }
}
