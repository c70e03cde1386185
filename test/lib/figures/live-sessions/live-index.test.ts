import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AGE_BUCKETS, VISIBILITY_LOOKBACK_MS, type LiveTabsRow, type LiveVersionRow } from '@/lib/figures/live-sessions/live-answers'
import { LiveIndex, type LiveEvent, type LiveMinuteCount } from '@/lib/figures/live-sessions/live-index'

// The live index against the definition read straight (docs/semantics.md,
// Liveness), on random sessions: events given in any order, some twice, with
// prunes in between and session_first_seen read at random moments. Wherever
// the index says it covers an instant, its answer is the definition's.

const W = 180_000
const H = 3600_000

function reference(events: readonly LiveEvent[], at: number) {
  const from = at - W
  const bySession = new Map<string, LiveEvent[]>()
  for (const e of events) bySession.set(e.sessionId, [...(bySession.get(e.sessionId) ?? []), e])
  const versions = new Map<string, LiveVersionRow>()
  const tabs = new Map<string, LiveTabsRow>()
  for (const all of bySession.values()) {
    const window = all.filter((e) => e.eventTime > from && e.eventTime <= at).sort((a, b) => b.eventTime - a.eventTime)
    if (window.length === 0) continue
    const version = window[0]!.version
    const visibility = window.find((e) => e.visibility !== '')?.visibility ?? ''
    const earlier = all.filter((e) => e.visibility !== '' && e.eventTime > from - VISIBILITY_LOOKBACK_MS && e.eventTime <= from).sort((a, b) => b.eventTime - a.eventTime)[0]
    const counted = visibility !== '' ? visibility : (earlier?.visibility ?? '')
    const v = versions.get(version) ?? { version, sessions: 0, visible: 0, hidden: 0 }
    v.sessions++
    if (counted === 'visible') v.visible++
    if (counted === 'hidden') v.hidden++
    versions.set(version, v)
    const heartbeat = window.find((e) => e.type === 'heartbeat')
    const age = Math.max(0, at - Math.min(...all.map((e) => e.eventTime)))
    const ageBucket = age < AGE_BUCKETS[0].toMs ? 0 : age < AGE_BUCKETS[1].toMs ? 1 : 2
    const row = { version, visibility, idle: heartbeat?.idle ?? false, unsaved: heartbeat?.unsaved ?? false, ageBucket }
    const key = JSON.stringify(row)
    tabs.set(key, { ...row, sessions: (tabs.get(key)?.sessions ?? 0) + 1 })
  }
  return { versions: sortVersions([...versions.values()]), tabs: sortTabs([...tabs.values()]), tabAges: tabAgeMedians(bySession, at) }
}

/** versionTabAges' SQL (lib/figures/live-sessions/read-tab-ages.ts): medianExact of the live tabs' ages per version, the sorted value at floor(n / 2). */
function tabAgeMedians(bySession: Map<string, LiveEvent[]>, at: number) {
  const ages = new Map<string, number[]>()
  for (const all of bySession.values()) {
    const latest = all.filter((e) => e.eventTime > at - W && e.eventTime <= at).sort((a, b) => b.eventTime - a.eventTime)[0]
    if (!latest) continue
    ages.set(latest.version, [...(ages.get(latest.version) ?? []), Math.max(0, at - Math.min(...all.map((e) => e.eventTime)))])
  }
  return [...ages].map(([version, list]) => ({ version, medianTabAgeMs: [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]! })).sort((a, b) => a.version.localeCompare(b.version))
}

/** liveMinutes' raw SELECT (lib/figures/live-sessions/raw.ts) at one boundary: the window's own visibility, no lookback. */
function referenceMinute(events: readonly LiveEvent[], minute: number, byVisibility: boolean): LiveMinuteCount[] {
  const bySession = new Map<string, LiveEvent[]>()
  for (const e of events) if (e.eventTime > minute - W && e.eventTime <= minute) bySession.set(e.sessionId, [...(bySession.get(e.sessionId) ?? []), e])
  const rows = new Map<string, LiveMinuteCount>()
  for (const window of bySession.values()) {
    window.sort((a, b) => b.eventTime - a.eventTime)
    const version = window[0]!.version
    const visibility = byVisibility ? (window.find((e) => e.visibility !== '')?.visibility ?? '') : ''
    const key = `${version}|${visibility}`
    rows.set(key, { minute, version, visibility, sessions: (rows.get(key)?.sessions ?? 0) + 1 })
  }
  return [...rows.values()]
}

const sortVersions = (rows: LiveVersionRow[]) => [...rows].sort((a, b) => a.version.localeCompare(b.version))
const sortTabs = (rows: LiveTabsRow[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
const sortMinutes = (rows: LiveMinuteCount[]) => [...rows].sort((a, b) => a.minute - b.minute || `${a.version}|${a.visibility}`.localeCompare(`${b.version}|${b.visibility}`))

// A session's events at distinct times (a tie between different events is left to chance by the SQL too).
const session = (id: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 3 * H }), { minLength: 1, maxLength: 8 })
    .chain((times) =>
      fc.tuple(
        ...times.map((t) =>
          fc.record({
            sessionId: fc.constant(`s${id}`),
            eventTime: fc.constant(t),
            version: fc.constantFrom('v1', 'v2', 'v3'),
            type: fc.constantFrom('heartbeat', 'heartbeat', 'resume', 'load', 'visibility'),
            visibility: fc.constantFrom('', 'visible', 'hidden'),
            idle: fc.boolean(),
            unsaved: fc.boolean(),
          }),
        ),
      ),
    )
    .map((events) => events.map((e): LiveEvent => (e.type === 'heartbeat' ? e : { ...e, idle: false, unsaved: false })))

type Step = { kind: 'add'; event: LiveEvent } | { kind: 'prune'; before: number } | { kind: 'firstSeen' }

const scenario = fc
  .array(fc.nat(), { minLength: 1, maxLength: 12 })
  .chain((ids) => fc.tuple(...ids.map((_, i) => session(i))))
  .map((sessions) => sessions.flat())
  .chain((events) =>
    fc.record({
      events: fc.constant(events),
      // Every event once, some twice (a replayed request), in any order, with prunes and first-seen reads between.
      order: fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      replayed: fc.array(fc.tuple(fc.nat(), fc.nat())),
      prunes: fc.array(fc.integer({ min: 0, max: 3 * H }), { maxLength: 4 }),
      firstSeenReads: fc.array(fc.nat(), { maxLength: 3 }),
      start: fc.integer({ min: 0, max: 2 * H }),
      instants: fc.array(fc.integer({ min: 0, max: 3 * H + W }), { minLength: 1, maxLength: 6 }),
    }),
  )

describe('LiveIndex', () => {
  it('answers as the definition wherever it covers the instant', () => {
    fc.assert(
      fc.property(scenario, ({ events, order, replayed, prunes, firstSeenReads, start, instants }) => {
        const steps: Step[] = order.map((event) => ({ kind: 'add', event }))
        for (const [which, where] of replayed) steps.splice(where % (steps.length + 1), 0, { kind: 'add', event: events[which % events.length]! })
        for (const p of prunes) steps.splice(p % (steps.length + 1), 0, { kind: 'prune', before: p })
        for (const r of firstSeenReads) steps.splice(r % (steps.length + 1), 0, { kind: 'firstSeen' })
        const index = new LiveIndex(start)
        const given: LiveEvent[] = []
        // session_first_seen as the table holds it at the moment it is read: the minimum over what was stored.
        const firstSeenNow = (id: string) => {
          const times = given.filter((e) => e.sessionId === id).map((e) => e.eventTime)
          return times.length ? Math.min(...times) : null
        }
        for (const step of steps) {
          if (step.kind === 'add') {
            index.add(step.event)
            given.push(step.event)
          } else if (step.kind === 'prune') index.prune(step.before)
          else for (const id of new Set(given.map((e) => e.sessionId))) index.setFirstSeen(id, firstSeenNow(id))
        }
        for (const at of instants) {
          if (!index.covers(at, W)) continue
          // As live-index-feed.ts does before liveTabs: the table's first-seen of the live sessions not read yet.
          for (const id of index.unknownFirstSeen(at, W)) index.setFirstSeen(id, firstSeenNow(id))
          const want = reference(events, at)
          expect(sortVersions(index.liveSessions(at, W))).toEqual(want.versions)
          expect(sortTabs(index.liveTabs(at, W))).toEqual(want.tabs)
          expect(index.tabAgeMedians(at, W).sort((a, b) => a.version.localeCompare(b.version))).toEqual(want.tabAges)
        }
        // liveMinutes at every covered instant at once, as boundaries.
        const covered = instants.filter((at) => index.covers(at, W))
        for (const byVisibility of [true, false]) {
          expect(sortMinutes(index.liveMinutes(covered, W, byVisibility))).toEqual(sortMinutes([...new Set(covered)].flatMap((m) => referenceMinute(events, m, byVisibility))))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('keeps nothing past its coverage but what the lookback still reads', () => {
    const index = new LiveIndex(0)
    index.add({ sessionId: 'a', eventTime: 1_000, version: 'v1', type: 'heartbeat', visibility: 'hidden', idle: false, unsaved: false })
    index.add({ sessionId: 'b', eventTime: 2_000, version: 'v1', type: 'heartbeat', visibility: 'visible', idle: false, unsaved: false })
    index.prune(H)
    // Both visibilities are still within an hour before any instant's window the index may yet answer for.
    expect(index.size).toBe(2)
    index.prune(H + 1_500)
    // a's is not: no window the index answers for now starts within an hour of it.
    expect(index.size).toBe(1)
    index.prune(3 * H)
    expect(index.size).toBe(0)
    expect(index.covers(3 * H + W, W)).toBe(true)
    expect(index.covers(3 * H + W - 1, W)).toBe(false)
  })
})
