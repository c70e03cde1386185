import { EVENT_KINDS } from '../../semantics/event-kinds'
import { AGE_BUCKETS, VISIBILITY_LOOKBACK_MS, type LiveTabsRow, type LiveVersionRow } from './live-answers'

// One project's live sessions kept in memory (docs/scaling.md, "Live 'now'
// figures kept in memory"): per session the few events needed to answer the
// definitions of docs/semantics.md (Liveness) exactly at any instant whose
// window lies after `prunedUpTo`, so liveSessions and liveTabs cost a walk
// over the live sessions instead of a GROUP BY over the events table.
// Pure: ./live-index-feed.ts feeds it after each insert and hydrates it.
//
// Per session: its events after prunedUpTo (time, version, visibility, and a
// heartbeat's idle/unsaved), the latest visibility at or before prunedUpTo
// (the hour's lookback of read-now.ts for sessions whose window events carry
// none) and its first event's time (session_first_seen). Adding an event is
// a set insert (a replayed event changes nothing), so late and out-of-order
// events just add entries, and the answers are argMax over a set.

// The heartbeat kind is its wire types and no further condition: the same test as kindPredicateSql('heartbeat').
// A `where` added to the kind fails this line's typecheck, so the two cannot drift apart.
const heartbeatKind: { readonly types: readonly string[]; readonly where?: undefined } = EVENT_KINDS.heartbeat
const HEARTBEAT_TYPES = new Set(heartbeatKind.types)

/** An event as the index needs it (times in epoch ms). */
export interface LiveEvent {
  sessionId: string
  eventTime: number
  version: string
  type: string
  visibility: string
  idle: boolean
  unsaved: boolean
}

interface Entry {
  t: number
  version: string
  visibility: string
  /** Bit 1: a heartbeat; bit 2: it said idle; bit 4: it said unsaved. */
  flags: number
}

const HEARTBEAT = 1
const IDLE = 2
const UNSAVED = 4

interface Session {
  /** Events after prunedUpTo, by time (ties by version, visibility, flags: a fixed order, so the answer does not depend on arrival). */
  entries: Entry[]
  /** Latest non-empty visibility at or before prunedUpTo, and its time (-Infinity: none known). */
  earlierVisibilityAt: number
  earlierVisibility: string
  /** First event's time from session_first_seen; undefined until read (Infinity: no row there). */
  firstSeen: number | undefined
  /** Earliest event time this index was given: session_first_seen may be read before a late event is stored. */
  minSeen: number
}

function compare(a: Entry, b: Entry): number {
  return a.t - b.t || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0) || (a.visibility < b.visibility ? -1 : a.visibility > b.visibility ? 1 : 0) || a.flags - b.flags
}

/** Live sessions at one minute boundary, of one version (and visibility). */
export interface LiveMinuteCount {
  minute: number
  version: string
  visibility: string
  sessions: number
}

/** What one live session says at an instant. */
interface SessionAt {
  version: string
  /** Last non-empty visibility in the window, '' for none. */
  visibility: string
  idle: boolean
  unsaved: boolean
}

export class LiveIndex {
  private readonly sessions = new Map<string, Session>()
  // Interned versions: one string per version, not one per event.
  private readonly versions = new Map<string, string>()
  // Sessions whose session_first_seen is not read yet: liveTabs looks only at these, not at every session.
  private readonly firstSeenUnread = new Set<string>()

  /** Every event at or before this instant is summarised (visibility, first seen), not kept. */
  constructor(public prunedUpTo: number) {}

  get size(): number {
    return this.sessions.size
  }

  add(event: LiveEvent): void {
    let session = this.sessions.get(event.sessionId)
    if (!session) {
      session = newSession()
      this.sessions.set(event.sessionId, session)
      this.firstSeenUnread.add(event.sessionId)
    }
    if (event.eventTime < session.minSeen) session.minSeen = event.eventTime
    if (event.eventTime <= this.prunedUpTo) {
      foldVisibility(session, event.eventTime, event.visibility)
      return
    }
    let version = this.versions.get(event.version)
    if (version === undefined) this.versions.set(event.version, (version = event.version))
    const heartbeat = HEARTBEAT_TYPES.has(event.type)
    const flags = heartbeat ? HEARTBEAT | (event.idle ? IDLE : 0) | (event.unsaved ? UNSAVED : 0) : 0
    const entry: Entry = { t: event.eventTime, version, visibility: event.visibility, flags }
    const entries = session.entries
    // Mostly appended: search from the end.
    let i = entries.length
    while (i > 0 && compare(entries[i - 1]!, entry) > 0) i--
    if (i > 0 && compare(entries[i - 1]!, entry) === 0) return
    entries.splice(i, 0, entry)
  }

  /** Sets the visibility reported at `at` at or before prunedUpTo (hydration's lookback read). */
  addEarlierVisibility(sessionId: string, at: number, visibility: string): void {
    let session = this.sessions.get(sessionId)
    if (!session) {
      session = newSession()
      this.sessions.set(sessionId, session)
      this.firstSeenUnread.add(sessionId)
    }
    if (at < session.minSeen) session.minSeen = at
    foldVisibility(session, at, visibility)
  }

  /** Sets a session's session_first_seen (null: it has no row there). */
  setFirstSeen(sessionId: string, firstSeen: number | null): void {
    const session = this.sessions.get(sessionId)
    if (!session) return
    session.firstSeen = firstSeen ?? Infinity
    this.firstSeenUnread.delete(sessionId)
  }

  /** Sessions live at `at` whose first event's time is not read yet. */
  unknownFirstSeen(at: number, windowMs: number): string[] {
    const out: string[] = []
    for (const id of this.firstSeenUnread) {
      const session = this.sessions.get(id)
      if (session && this.liveAt(session, at - windowMs, at)) out.push(id)
    }
    return out
  }

  /**
   * Forgets every event at or before `before`, keeping the latest visibility
   * among them; drops sessions left with nothing the lookback could still read.
   */
  prune(before: number): void {
    if (before <= this.prunedUpTo) return
    this.prunedUpTo = before
    for (const [id, session] of this.sessions) {
      const entries = session.entries
      let n = 0
      while (n < entries.length && entries[n]!.t <= before) n++
      if (n > 0) {
        for (let i = 0; i < n; i++) foldVisibility(session, entries[i]!.t, entries[i]!.visibility)
        entries.splice(0, n)
      }
      if (entries.length === 0 && session.earlierVisibilityAt <= before - VISIBILITY_LOOKBACK_MS) {
        this.sessions.delete(id)
        this.firstSeenUnread.delete(id)
      }
    }
  }

  /** True when the window ending at `at` lies wholly after what was pruned: the answers are then exact. */
  covers(at: number, windowMs: number): boolean {
    return at - windowMs >= this.prunedUpTo
  }

  /** liveSessions' counts (read-now.ts) at `at`, by version, unsorted. */
  liveSessions(at: number, windowMs: number): LiveVersionRow[] {
    const from = at - windowMs
    const byVersion = new Map<string, LiveVersionRow>()
    this.eachLive(from, at, (session, now) => {
      let row = byVersion.get(now.version)
      if (!row) byVersion.set(now.version, (row = { version: now.version, sessions: 0, visible: 0, hidden: 0 }))
      row.sessions++
      const visibility = now.visibility !== '' ? now.visibility : lookback(session, from)
      if (visibility === 'visible') row.visible++
      else if (visibility === 'hidden') row.hidden++
    })
    return [...byVersion.values()]
  }

  /** liveTabs' rows (read-live-tabs.ts) at `at`: visibility of the window only, no lookback, as there. */
  liveTabs(at: number, windowMs: number): LiveTabsRow[] {
    // Rows by version, then by a number made of the visibility's code, idle, unsaved and the age bucket: no key string per session.
    const rows = new Map<string, Map<number, LiveTabsRow>>()
    const visibilityCodes = new Map<string, number>()
    this.eachLive(at - windowMs, at, (session, now) => {
      // session_first_seen is the minimum over every stored event, and every event given here is stored:
      // the smaller of the two is its value now. No time at all reads as the epoch, as the SQL's LEFT JOIN does.
      const firstSeen = Math.min(session.firstSeen ?? Infinity, session.minSeen)
      const age = Math.max(0, at - (firstSeen === Infinity ? 0 : firstSeen))
      const ageBucket = age < AGE_BUCKETS[0].toMs ? 0 : age < AGE_BUCKETS[1].toMs ? 1 : 2
      let code = visibilityCodes.get(now.visibility)
      if (code === undefined) visibilityCodes.set(now.visibility, (code = visibilityCodes.size))
      const key = code * 16 + (now.idle ? 8 : 0) + (now.unsaved ? 4 : 0) + ageBucket
      let ofVersion = rows.get(now.version)
      if (!ofVersion) rows.set(now.version, (ofVersion = new Map()))
      const row = ofVersion.get(key)
      if (row) row.sessions++
      else ofVersion.set(key, { version: now.version, visibility: now.visibility, idle: now.idle, unsaved: now.unsaved, ageBucket, sessions: 1 })
    })
    return [...rows.values()].flatMap((ofVersion) => [...ofVersion.values()])
  }

  /**
   * liveMinutes' raw rows (read-minutes.ts, the SELECT of ./raw.ts) at each of
   * `boundaries`: per boundary m, the sessions with an event in (m - W, m],
   * each under its latest version and the latest visibility in that window
   * ('' for none; no lookback, as there), by version and visibility
   * (visibility '' throughout when not `byVisibility`). Unsorted.
   */
  liveMinutes(boundaries: readonly number[], windowMs: number, byVisibility: boolean): LiveMinuteCount[] {
    const out: LiveMinuteCount[] = []
    for (const minute of new Set(boundaries)) {
      // By version, then visibility: no key string made per session.
      const rows = new Map<string, Map<string, LiveMinuteCount>>()
      this.eachLive(minute - windowMs, minute, (_session, now) => {
        const visibility = byVisibility ? now.visibility : ''
        let ofVersion = rows.get(now.version)
        if (!ofVersion) rows.set(now.version, (ofVersion = new Map()))
        const row = ofVersion.get(visibility)
        if (row) row.sessions++
        else ofVersion.set(visibility, { minute, version: now.version, visibility, sessions: 1 })
      })
      for (const ofVersion of rows.values()) out.push(...ofVersion.values())
    }
    return out
  }

  /**
   * versionTabAges' medians (read-tab-ages.ts) at `at`: per version, the
   * median age of its live sessions' tabs as medianExact takes it (the value
   * at position floor(n / 2) of the sorted ages). Sessions with no first
   * event known are left out, as the SQL's inner join leaves them. Unsorted.
   */
  tabAgeMedians(at: number, windowMs: number): { version: string; medianTabAgeMs: number }[] {
    const ages = new Map<string, number[]>()
    this.eachLive(at - windowMs, at, (session, now) => {
      const firstSeen = Math.min(session.firstSeen ?? Infinity, session.minSeen)
      if (firstSeen === Infinity) return
      let ofVersion = ages.get(now.version)
      if (!ofVersion) ages.set(now.version, (ofVersion = []))
      ofVersion.push(Math.max(0, at - firstSeen))
    })
    return [...ages].map(([version, list]) => ({ version, medianTabAgeMs: Float64Array.from(list).sort()[Math.floor(list.length / 2)]! }))
  }

  // Filled by liveAt for each live session in turn: a read allocates nothing per session.
  private readonly scratch: SessionAt = { version: '', visibility: '', idle: false, unsaved: false }

  private eachLive(from: number, at: number, visit: (session: Session, now: SessionAt) => void): void {
    for (const session of this.sessions.values()) if (this.liveAt(session, from, at)) visit(session, this.scratch)
  }

  /** True, with the session at `at` in scratch, if it has an event in (from, at]: argMax over its entries there, as the SQL's argMax/argMaxIf. */
  private liveAt(session: Session, from: number, at: number): boolean {
    const entries = session.entries
    let i = entries.length - 1
    while (i >= 0 && entries[i]!.t > at) i--
    if (i < 0 || entries[i]!.t <= from) return false
    const now = this.scratch
    now.version = entries[i]!.version
    now.visibility = ''
    let heartbeat = -1
    for (let j = i; j >= 0 && entries[j]!.t > from && (now.visibility === '' || heartbeat < 0); j--) {
      const e = entries[j]!
      if (now.visibility === '' && e.visibility !== '') now.visibility = e.visibility
      if (heartbeat < 0 && e.flags & HEARTBEAT) heartbeat = e.flags
    }
    now.idle = heartbeat >= 0 && (heartbeat & IDLE) !== 0
    now.unsaved = heartbeat >= 0 && (heartbeat & UNSAVED) !== 0
    return true
  }
}

/** The last non-empty visibility in (from - lookback, from]: kept entries first, then what was pruned. */
function lookback(session: Session, from: number): string {
  const since = from - VISIBILITY_LOOKBACK_MS
  const entries = session.entries
  let i = entries.length - 1
  while (i >= 0 && entries[i]!.t > from) i--
  for (; i >= 0 && entries[i]!.t > since; i--) if (entries[i]!.visibility !== '') return entries[i]!.visibility
  return session.earlierVisibilityAt > since && session.earlierVisibilityAt <= from ? session.earlierVisibility : ''
}

function newSession(): Session {
  return { entries: [], earlierVisibilityAt: -Infinity, earlierVisibility: '', firstSeen: undefined, minSeen: Infinity }
}

function foldVisibility(session: Session, at: number, visibility: string): void {
  if (visibility === '') return
  // Ties keep the larger value: a fixed choice whatever the order of arrival.
  if (at > session.earlierVisibilityAt || (at === session.earlierVisibilityAt && visibility > session.earlierVisibility)) {
    session.earlierVisibilityAt = at
    session.earlierVisibility = visibility
  }
}
