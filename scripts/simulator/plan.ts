// How `npm run simulate` lays out releases over the simulated history. Pure.

import { hash32 } from './prng'
import type { SimRelease } from './generator'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Calendar version of a release time, e.g. 2025.11.27-1405 (UTC). */
export function calendarVersion(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}.${d.getUTCMonth() + 1}.${d.getUTCDate()}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}`
}

/** A made-up but stable 40-hex commit for a version. */
export function fakeCommit(version: string): string {
  let out = ''
  let h = 0x9e3779b9
  for (let i = 0; i < version.length; i++) h = hash32(h, version.charCodeAt(i))
  for (let i = 0; out.length < 40; i++) out += hash32(h, i).toString(16).padStart(8, '0')
  return out.slice(0, 40)
}

export interface ReleasePlan {
  /** Releases to register, ascending. */
  releases: SimRelease[]
  /** Version of tabs opened before the first release (registered when it is releases[0]). */
  initialVersion: string
}

/**
 * Lays out `count` releases for a history of `hours` ending at nowMs:
 * the first one a day before the history starts (what long-open tabs run),
 * the rest inside the history, the last `lastAgoMs` before now (default 20 min,
 * at most a quarter of the history) so adoption is still visibly in progress.
 * With one release, it is the recent one and older tabs run an unregistered build.
 */
export function planReleases(args: { nowMs: number; hours: number; count: number; lastAgoMs?: number }): ReleasePlan {
  const { nowMs, hours, count } = args
  const span = hours * HOUR
  const start = nowMs - span
  const last = nowMs - Math.min(args.lastAgoMs ?? 20 * MINUTE, span / 4)
  const times: number[] = []
  if (count >= 2) {
    times.push(start - DAY)
    const inWindow = count - 1
    const first = inWindow === 1 ? last : start + 0.15 * span
    for (let i = 0; i < inWindow; i++) {
      times.push(inWindow === 1 ? last : first + ((last - first) * i) / (inWindow - 1))
    }
  } else if (count === 1) {
    times.push(last)
  }
  const seen = new Set<string>()
  const releases = times.map((t) => {
    const releasedAt = Math.round(t)
    let version = calendarVersion(releasedAt)
    for (let n = 2; seen.has(version); n++) version = `${calendarVersion(releasedAt)}.${n}`
    seen.add(version)
    return { version, releasedAt }
  })
  let initialVersion = releases[0]?.version ?? calendarVersion(start - DAY)
  if (count === 1) {
    initialVersion = calendarVersion(start - DAY)
    if (initialVersion === releases[0]!.version) initialVersion += '.0'
  }
  return { releases, initialVersion }
}
