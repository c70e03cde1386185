import { describe, expect, it } from 'vitest'
import type { WireEvent } from '@/sdk/src/wire'
import { WIRE_LIMITS } from '@/sdk/src/wire'
import {
  LoadBatcher,
  generateEnvelopes,
  generateSessions,
  generateTimeline,
  latestVersionAt,
  planReleases,
  toIngestEnvelope,
  trueEventTime,
  type SimEnvelope,
  type SimulatorOptions,
} from '@/scripts/simulator'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const START = Date.UTC(2025, 5, 1, 8, 0, 0)

const RELEASES = [
  { version: '1.0.0', releasedAt: START - 24 * HOUR },
  { version: '1.1.0', releasedAt: START + 2 * HOUR },
  { version: '1.2.0', releasedAt: START + 5 * HOUR },
]

const BASE: SimulatorOptions = {
  sessions: 600,
  startMs: START,
  endMs: START + 8 * HOUR,
  releases: RELEASES,
  seed: 12345,
}

interface SessionLog {
  envelopes: SimEnvelope[]
  /** Events in send order with their envelope. */
  events: { ev: WireEvent; env: SimEnvelope }[]
}

function bySession(options: SimulatorOptions): Map<string, SessionLog> {
  const out = new Map<string, SessionLog>()
  for (const s of generateSessions(options)) {
    const log: SessionLog = { envelopes: [], events: [] }
    for (const env of s.envelopes()) {
      log.envelopes.push(env)
      for (const ev of env.events) log.events.push({ ev, env })
    }
    out.set(s.id, log)
  }
  return out
}

const logs = bySession(BASE)
const all = [...logs.values()].flatMap((l) => l.envelopes)

describe('determinism', () => {
  it('same seed gives the same output, a different seed does not', () => {
    const a = [...generateEnvelopes(BASE)]
    const b = [...generateEnvelopes(BASE)]
    expect(a.length).toBeGreaterThan(1000)
    expect(b).toEqual(a)
    expect(a).toEqual(all)
    const c = [...generateEnvelopes({ ...BASE, seed: 54321 })]
    expect(c.map((e) => e.events[0]!.id)).not.toEqual(a.map((e) => e.events[0]!.id).slice(0, c.length))
    expect(c[0]!.session).not.toBe(a[0]!.session)
  })

  it('a session replays identically however often it is iterated', () => {
    const sessions = [...generateSessions(BASE)]
    const s = sessions[sessions.length - 7]!
    expect([...s.envelopes()]).toEqual([...s.envelopes()])
  })
})

describe('wire validity', () => {
  it('every envelope respects the wire limits', () => {
    const ids = new Set<string>()
    const allowedTypes = new Set(['load', 'heartbeat', 'visibility', 'freeze', 'resume', 'update_available', 'update_prompt', 'reload', 'error', 'skew_error'])
    const problems: string[] = []
    const check = (ok: boolean, what: string) => {
      if (!ok && problems.length < 20) problems.push(what)
    }
    for (const env of all) {
      const where = `${env.load}@${env.at}`
      check(WIRE_LIMITS.idPattern.test(env.session), `session id ${env.session}`)
      check(WIRE_LIMITS.idPattern.test(env.load), `load id ${env.load}`)
      check(env.version.length >= 1 && env.version.length <= WIRE_LIMITS.maxVersionLength, `version ${env.version}`)
      check(env.events.length >= 1 && env.events.length <= WIRE_LIMITS.maxEvents, `${where}: ${env.events.length} events`)
      check(env.sentAt === env.at + env.skewMs, `${where}: sentAt`)
      for (const ev of env.events) {
        check(WIRE_LIMITS.idPattern.test(ev.id), `event id ${ev.id}`)
        check(!ids.has(ev.id), `duplicate event id ${ev.id}`)
        ids.add(ev.id)
        check(allowedTypes.has(ev.type), `${where}: type ${ev.type}`)
        check(Number.isInteger(ev.ts) && ev.ts <= env.sentAt, `${ev.id}: ts ${ev.ts} vs sentAt ${env.sentAt}`)
        const t = trueEventTime(env, ev)
        check(t >= BASE.startMs && t < BASE.endMs, `${ev.id}: outside the window`)
        if (ev.type === 'error') check(ev.message.length <= WIRE_LIMITS.maxMessageLength, `${ev.id}: message too long`)
        if (ev.type === 'load' && ev.previousVersion !== undefined) check(ev.previousVersion.length <= 64, `${ev.id}: previousVersion`)
      }
    }
    // The biggest envelopes, serialized as sent.
    const biggest = [...all].sort((x, y) => y.events.length - x.events.length).slice(0, 20)
    for (const env of biggest) {
      check(Buffer.byteLength(JSON.stringify(toIngestEnvelope(env, 'k_demo_key'))) <= WIRE_LIMITS.maxBodyBytes, 'body too big')
    }
    expect(problems).toEqual([])
    expect(ids.size).toBeGreaterThan(10_000)
  })

  it('ts ascends within a session and envelopes go out in order', () => {
    const problems: string[] = []
    for (const log of logs.values()) {
      let prevTs = -Infinity
      let prevAt = -Infinity
      for (const env of log.envelopes) {
        if (!(env.at > prevAt)) problems.push(`${env.load}: at ${env.at} after ${prevAt}`)
        prevAt = env.at
        for (const ev of env.events) {
          if (!(ev.ts > prevTs)) problems.push(`${ev.id}: ts ${ev.ts} after ${prevTs}`)
          prevTs = ev.ts
        }
      }
    }
    expect(problems.slice(0, 20)).toEqual([])
  })

  it('sessions opened inside the window start with a load that has no previousVersion', () => {
    let checked = 0
    for (const s of generateSessions(BASE)) {
      const first = s.envelopes().next()
      if (first.done) continue
      const ev = first.value.events[0]!
      if (s.preOpen) {
        expect(s.startMs).toBeLessThan(BASE.startMs)
        expect(ev.type).not.toBe('load')
      } else {
        checked++
        expect(ev.type).toBe('load')
        if (ev.type === 'load') expect(ev.previousVersion).toBeUndefined()
        expect(trueEventTime(first.value, ev)).toBe(s.startMs)
      }
    }
    expect(checked).toBeGreaterThan(300)
  })
})

describe('liveness', () => {
  it('a session sends something at least every heartbeat while open, hidden too', () => {
    let hiddenGaps = 0
    let gaps = 0
    const tooLong: string[] = []
    for (const log of logs.values()) {
      const evs = log.events
      for (let i = 1; i < evs.length; i++) {
        const prev = evs[i - 1]!
        const cur = evs[i]!
        if (prev.ev.type === 'freeze') {
          // A frozen page runs nothing; the next sign of life must be its resume.
          expect(cur.ev.type).toBe('resume')
          continue
        }
        const gap = trueEventTime(cur.env, cur.ev) - trueEventTime(prev.env, prev.ev)
        gaps++
        if (gap > 60_000) tooLong.push(`${cur.ev.id}: ${gap} ms after ${prev.ev.type}`)
        if (cur.ev.type === 'heartbeat' && cur.ev.visibility === 'hidden') hiddenGaps++
      }
    }
    expect(tooLong.slice(0, 20)).toEqual([])
    expect(gaps).toBeGreaterThan(10_000)
    expect(hiddenGaps).toBeGreaterThan(1_000)
  })

  it('heartbeats are close to the period, not much more frequent', () => {
    const heartbeats = all.flatMap((e) => e.events).filter((e) => e.type === 'heartbeat').length
    const openMinutes = [...logs.values()].reduce((sum, log) => {
      const first = log.events[0]
      const last = log.events[log.events.length - 1]
      if (!first || !last) return sum
      return sum + (trueEventTime(last.env, last.ev) - trueEventTime(first.env, first.ev)) / MINUTE
    }, 0)
    expect(heartbeats).toBeLessThanOrEqual(openMinutes * 1.05)
    expect(heartbeats).toBeGreaterThan(openMinutes * 0.7)
  })

  it('visibility, freeze and resume all happen', () => {
    const types = new Map<string, number>()
    for (const env of all) for (const ev of env.events) types.set(ev.type, (types.get(ev.type) ?? 0) + 1)
    expect(types.get('visibility')).toBeGreaterThan(100)
    expect(types.get('freeze')).toBeGreaterThan(10)
    expect(types.get('resume')).toBeGreaterThan(10)
  })

  it('lifetimes: many short tabs and a long tail', () => {
    const lifetimes = [...generateSessions(BASE)].filter((s) => !s.preOpen).map((s) => s.closeMs - s.startMs)
    const short = lifetimes.filter((l) => l < 10 * MINUTE).length / lifetimes.length
    const long = lifetimes.filter((l) => l > 3 * HOUR).length / lifetimes.length
    expect(short).toBeGreaterThan(0.3)
    expect(long).toBeGreaterThan(0.05)
  })
})

describe('reloads', () => {
  it('a reload event carries a reason and the next load is a reload with previousVersion', () => {
    const reasons = new Set<string>()
    let checked = 0
    for (const log of logs.values()) {
      const evs = log.events
      evs.forEach(({ ev, env }, i) => {
        if (ev.type !== 'reload') return
        expect(['user', 'update_prompt', 'forced', 'chunk_error', 'app']).toContain(ev.reason)
        reasons.add(ev.reason)
        const next = evs[i + 1]
        if (next === undefined) return // the tab closed during the reload
        checked++
        expect(next.ev.type).toBe('load')
        if (next.ev.type !== 'load') return
        expect(next.ev.navigation).toBe('reload')
        expect(next.ev.previousVersion).toBe(env.version)
        expect(next.env.load).not.toBe(env.load)
        expect(next.ev.ts - ev.ts).toBeLessThanOrEqual(60_000)
      })
    }
    expect(checked).toBeGreaterThan(50)
    expect([...reasons].sort()).toEqual(['app', 'chunk_error', 'forced', 'update_prompt'])
  })

  it('every later load names the version of the load before it', () => {
    let reloads = 0
    let userReloads = 0
    for (const log of logs.values()) {
      let prevVersion: string | null = null
      let prevType: string | null = null
      for (const { ev, env } of log.events) {
        if (ev.type === 'load') {
          if (prevVersion !== null) expect(ev.previousVersion).toBe(prevVersion)
          if (ev.navigation === 'reload') {
            reloads++
            if (prevType !== 'reload') userReloads++ // the browser's button: seen only from the load
          }
        }
        prevVersion = env.version
        prevType = ev.type
      }
    }
    expect(reloads).toBeGreaterThan(100)
    expect(userReloads).toBeGreaterThan(20)
  })

  it('the update prompt goes update_available → shown → accepted → reload(update_prompt)', () => {
    let accepted = 0
    for (const log of logs.values()) {
      const evs = log.events.map((x) => x.ev)
      evs.forEach((ev, i) => {
        if (ev.type !== 'update_prompt' || ev.action !== 'accepted') return
        accepted++
        const next = evs[i + 1]
        expect(next?.type === 'reload' && next.reason === 'update_prompt').toBe(true)
        const shown = evs.slice(0, i).reverse().find((e) => e.type === 'update_prompt')
        expect(shown?.type === 'update_prompt' && shown.action).toBe('shown')
        expect(evs.slice(0, i).some((e) => e.type === 'update_available')).toBe(true)
      })
    }
    expect(accepted).toBeGreaterThan(30)
  })

  it('chunk errors report a skew_error before reloading, as the SDK does', () => {
    let n = 0
    for (const log of logs.values()) {
      const evs = log.events.map((x) => x.ev)
      evs.forEach((ev, i) => {
        if (ev.type === 'reload' && ev.reason === 'chunk_error') {
          n++
          const prev = evs[i - 1]
          // As the SDK does: a skew_error naming the gone chunk's path group, then the reload.
          expect(prev).toMatchObject({ type: 'skew_error', cause: 'gone', path: '/_next/static/chunks/*-*.js' })
          if (prev?.type === 'skew_error') expect(prev.age).toBeGreaterThan(0)
        }
      })
    }
    expect(n).toBeGreaterThan(3)
  })

  it('update_available names the release that is latest at that time', () => {
    for (const env of all) {
      for (const ev of env.events) {
        if (ev.type !== 'update_available') continue
        expect(ev.latest).toBe(latestVersionAt(RELEASES, trueEventTime(env, ev), '1.0.0'))
        expect(ev.latest).not.toBe(env.version)
      }
    }
  })
})

describe('adoption', () => {
  /** Version of every session live at t (an event in (t - 3 min, t]). */
  function liveAt(t: number): Map<string, string> {
    const out = new Map<string, string>()
    for (const [id, log] of logs) {
      let version: string | null = null
      let lastT = -Infinity
      for (const { ev, env } of log.events) {
        const et = trueEventTime(env, ev)
        if (et > t) break
        lastT = et
        version = env.version
      }
      if (version !== null && lastT > t - 3 * MINUTE) out.set(id, version)
    }
    return out
  }

  it('after a release most sessions converge to it and a few stragglers remain', () => {
    const atRelease = liveAt(RELEASES[1]!.releasedAt)
    expect([...atRelease.values()].every((v) => v === '1.0.0')).toBe(true)
    expect(atRelease.size).toBeGreaterThan(100)

    const later = liveAt(RELEASES[1]!.releasedAt + 2.5 * HOUR)
    const shareLatest = [...later.values()].filter((v) => v === '1.1.0').length / later.size
    expect(shareLatest).toBeGreaterThan(0.75)

    // Tabs that were open at the release and still are: most upgraded, some did not.
    const survivors = [...later].filter(([id]) => atRelease.has(id))
    expect(survivors.length).toBeGreaterThan(50)
    const upgraded = survivors.filter(([, v]) => v === '1.1.0').length / survivors.length
    expect(upgraded).toBeGreaterThan(0.55)
    expect(upgraded).toBeLessThan(0.97)
  })

  it('the last release is adopted too, and new tabs always load the latest', () => {
    const end = liveAt(BASE.endMs - MINUTE)
    const share = [...end.values()].filter((v) => v === '1.2.0').length / end.size
    expect(share).toBeGreaterThan(0.7)
    for (const s of generateSessions(BASE)) {
      if (s.preOpen) continue
      expect(s.version).toBe(latestVersionAt(RELEASES, s.startMs, '1.0.0'))
    }
  })

  it('with stragglerFraction 1 nobody upgrades by reload', () => {
    const opts = { ...BASE, sessions: 150, stragglerFraction: 1 }
    for (const env of generateEnvelopes(opts)) {
      for (const ev of env.events) {
        if (ev.type === 'load') expect(ev.previousVersion).toBeUndefined()
        expect(ev.type).not.toBe('reload')
        if (ev.type === 'update_prompt') expect(ev.action).not.toBe('accepted')
      }
    }
  })
})

describe('clock skew', () => {
  it('is off by default', () => {
    expect(all.every((e) => e.skewMs === 0)).toBe(true)
  })

  it('shifts ts and sentAt together so ts + (at - sentAt) is the true time', () => {
    const opts = { ...BASE, sessions: 200, clockSkewFraction: 0.5, maxClockSkewMs: 10 * MINUTE }
    const sessions = [...generateSessions(opts)]
    const skewed = sessions.filter((s) => s.skewMs !== 0)
    expect(skewed.length).toBeGreaterThan(60)
    expect(skewed.length).toBeLessThan(140)
    for (const s of skewed) {
      expect(Math.abs(s.skewMs)).toBeGreaterThanOrEqual(MINUTE)
      expect(Math.abs(s.skewMs)).toBeLessThanOrEqual(10 * MINUTE)
      for (const env of s.envelopes()) {
        expect(env.skewMs).toBe(s.skewMs)
        expect(env.sentAt - env.at).toBe(s.skewMs)
        for (const ev of env.events) {
          const corrected = ev.ts + (env.at - env.sentAt)
          expect(corrected).toBeGreaterThanOrEqual(opts.startMs)
          expect(corrected).toBeLessThanOrEqual(env.at)
        }
      }
    }
  })
})

describe('streaming', () => {
  it('the timeline holds the same envelopes in ascending send time', () => {
    const opts = { ...BASE, sessions: 200 }
    const timeline = [...generateTimeline(opts)]
    for (let i = 1; i < timeline.length; i++) expect(timeline[i]!.at).toBeGreaterThanOrEqual(timeline[i - 1]!.at)
    const key = (e: SimEnvelope) => e.events[0]!.id
    expect(timeline.map(key).sort()).toEqual([...generateEnvelopes(opts)].map(key).sort())
  })

  it('keep-open sessions heartbeat through the whole window (benchmark shape)', () => {
    const opts: SimulatorOptions = {
      ...BASE,
      sessions: 40,
      endMs: START + 6 * HOUR,
      preOpenFraction: 1,
      keepOpenFraction: 1,
    }
    let events = 0
    const it = generateEnvelopes(opts)
    for (const env of it) events += env.events.length
    // 40 tabs x 360 minutes, less time frozen.
    expect(events).toBeGreaterThan(40 * 360 * 0.85)
    expect(events).toBeLessThan(40 * 360 * 1.3)
  })

  it('rejects nonsense options', () => {
    expect(() => [...generateEnvelopes({ ...BASE, endMs: BASE.startMs })]).toThrow(RangeError)
    expect(() => [...generateEnvelopes({ ...BASE, releases: [] })]).toThrow(RangeError)
    expect(() => [...generateEnvelopes({ ...BASE, releases: [{ version: 'x'.repeat(65), releasedAt: 0 }] })]).toThrow(RangeError)
    expect(() => [...generateEnvelopes({ ...BASE, preOpenFraction: 2 })]).toThrow(RangeError)
  })
})

describe('back-fill batching', () => {
  it('batches stay inside one load and inside the wire limits, losing nothing', () => {
    const batcher = new LoadBatcher()
    const batches = []
    let input = 0
    for (const env of generateTimeline({ ...BASE, sessions: 200 })) {
      input += env.events.length
      batches.push(...batcher.add(env))
    }
    batches.push(...batcher.flush())
    expect(batches.reduce((n, b) => n + b.events.length, 0)).toBe(input)
    expect(batches.length).toBeLessThan(input / 10)
    for (const b of batches) {
      expect(b.events.length).toBeGreaterThanOrEqual(1)
      expect(b.events.length).toBeLessThanOrEqual(100)
      expect(b.events.every((e) => e.id.startsWith(b.session))).toBe(true)
      expect(Buffer.byteLength(JSON.stringify({ ...b, key: 'k' }))).toBeLessThanOrEqual(WIRE_LIMITS.maxBodyBytes)
    }
  })
})

describe('release plan', () => {
  it('puts the first release before the history and the last one about 20 minutes ago', () => {
    const now = Date.UTC(2025, 5, 1, 12, 0)
    const plan = planReleases({ nowMs: now, hours: 2, count: 3 })
    expect(plan.releases).toHaveLength(3)
    expect(plan.releases[0]!.releasedAt).toBeLessThan(now - 2 * HOUR)
    expect(plan.releases[2]!.releasedAt).toBe(now - 20 * MINUTE)
    expect(plan.releases[1]!.releasedAt).toBeGreaterThan(now - 2 * HOUR)
    expect(new Set(plan.releases.map((r) => r.version)).size).toBe(3)
    expect(plan.initialVersion).toBe(plan.releases[0]!.version)
    const one = planReleases({ nowMs: now, hours: 2, count: 1 })
    expect(one.releases).toHaveLength(1)
    expect(one.initialVersion).not.toBe(one.releases[0]!.version)
  })
})
