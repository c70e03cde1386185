import { MINUTE_MS, minuteOf, spacingMs } from './pace'
import { SlotTable, sessionKey } from './slot-table'

// One reload wave: the forced reloads a change of the minimum asks for, paced
// by the project's rate (docs/semantics.md, Minimum version and reload waves). Pure
// state and arithmetic over the times it is given; the registry feeds it the
// ingest answers, the guard pauses it, the store keeps its progress.
//
// - Slots: the k-th tab to ask gets slot k, which starts k spacings after the
//   wave's start (spacing = 60 s / rate), or at the next free slot after now
//   for a tab that asks late. A tab that asks again gets the same slot.
// - Wave time stands still while the wave is paused: every slot moves on by
//   the pause, in the same order.
// - A forced reload starts only on an answer that says "now" (reloadIn 0),
//   given to a tab whose slot has come, that says it could reload (hidden or
//   idle) and whose last heartbeat said nothing unsaved (remembered here:
//   only heartbeats say it, and a tab may ask with another event), while the wall-clock minute has started fewer than
//   the rate: so no minute ever holds more than the rate, whatever the
//   lateness of tabs. A due tab that finds its minute full gets a new slot.
// - Slots held per address: the tabs of one client address (hashed by
//   ingest, an IPv6 /64 as one; the address itself never reaches the wave)
//   hold at most `addressSeconds` of the wave's pace in slots still to come.
//   A new tab of an address that holds that many gets no slot yet and asks
//   again when the address's first one has passed. So fake tabs from one
//   address delay a real tab's slot by at most addressSeconds (A addresses:
//   A × addressSeconds), however many session ids they make up.
// - A tab granted a reload is not granted another within the loop guard
//   (the SDK's default, 10 minutes): one that came back below the minimum
//   reloaded onto the old build, and reloading it again at once helps nobody.

/** A slot this close ahead is due: a tab's timer and its request take a moment. */
export const EARLY_MS = 1000
/** No second grant to one tab within this. */
export const REGRANT_MS = 10 * MINUTE_MS
/** Forced reloads granted this recently are kept one by one (the guard's landing check; stored, so a landing after a restart counts). */
export const RECENT_GRANTS_MS = 15 * MINUTE_MS
/** Minutes of per-minute counts kept (the wave's progress and the guard's landing check). */
const MINUTES_KEPT = 24 * 60

export interface WaveIdentity {
  projectId: string
  /** The change of the minimum that started it (its time, as a string). */
  changeId: string
  minimum: string
  changedAt: number
}

export interface WaveMinute {
  minute: number
  granted: number
  /** Tabs granted in this minute whose next load reached the minimum. */
  landed: number
}

export interface Cause {
  cause: 'ingest_errors' | 'not_landing' | 'resume_storm' | 'reconnect_storm'
  summary: string
}

/** One forced reload granted within RECENT_GRANTS_MS. */
export interface RecentGrant {
  /** The tab's session key (slot-table.ts sessionKey). */
  session: number
  /** Its address's key (TabAsk.source); 0 = none. */
  source: number
  at: number
  landed: boolean
}

/** What the store keeps of a wave between restarts (docs/rollout.md, "Restarts"). */
export interface WaveProgress {
  startsAt: number
  reloadsPerMinute: number
  paused: boolean
  pausedSince: number
  pausedMs: number
  causes: Cause[]
  granted: number
  landed: number
  lastGrantAt: number | null
  perMinute: WaveMinute[]
  recentGrants: RecentGrant[]
}

/** What a tab's request tells the wave. */
export interface TabAsk {
  session: string
  /** The hashed address group its request came from; 0 or absent = none (loopback, unknown): not capped. */
  source?: number
  /** Hidden or idle by the last thing it said. */
  ready: boolean
  /** What this request's last heartbeat said of unsaved work; undefined = no heartbeat in it. */
  unsaved?: boolean
}

export class Wave {
  readonly id: WaveIdentity
  readonly startsAt: number
  /** The rate this node paces: the project's rate over the nodes that share it. */
  readonly reloadsPerMinute: number
  private readonly spacing: number
  private readonly table = new SlotTable()
  /** Most slots still to come that one address may hold; Infinity = no cap. */
  private readonly perSource: number
  /** Each capped address's slot indexes, ascending; those passed are dropped as it asks. */
  private readonly sources = new Map<number, number[]>()
  private sweptAt = 0
  /** The next slot index no tab holds yet. */
  private next = 0
  paused = false
  pausedSince = 0
  pausedMs = 0
  causes: Cause[] = []
  granted = 0
  landed = 0
  lastGrantAt: number | null = null
  private readonly minutes = new Map<number, WaveMinute>()
  /** Grants within RECENT_GRANTS_MS by session key, oldest first. */
  private readonly recent = new Map<number, RecentGrant>()
  /** Minutes before this one count as full: after a restart, what they granted is not known. */
  private closedUntil = 0

  /**
   * restored: the progress of this wave from before, either from the store
   * after a restart (restart: true) or from this process when the rate
   * changes mid-wave. Either way every tab asks again and queues from now.
   */
  constructor(
    id: WaveIdentity,
    o: { startsAt: number; reloadsPerMinute: number; nodes?: number; addressSeconds?: number },
    restored?: { progress: WaveProgress; restart: boolean },
    now = Date.now(),
  ) {
    this.id = id
    this.startsAt = o.startsAt
    this.reloadsPerMinute = Math.floor(o.reloadsPerMinute / (o.nodes ?? 1))
    this.spacing = spacingMs(this.reloadsPerMinute)
    this.perSource = o.addressSeconds === undefined ? Infinity : Math.max(1, Math.floor((o.addressSeconds * this.reloadsPerMinute) / 60))
    if (restored) {
      const p = restored.progress
      Object.assign(this, {
        paused: p.paused,
        pausedSince: p.pausedSince,
        pausedMs: p.pausedMs,
        causes: p.causes,
        granted: p.granted,
        landed: p.landed,
        lastGrantAt: p.lastGrantAt,
      })
      for (const m of p.perMinute) this.minutes.set(m.minute, { ...m })
      // The recent grants, so that a tab granted before and landing after still counts as landed.
      for (const g of p.recentGrants) {
        if (g.at < now - RECENT_GRANTS_MS) continue
        this.recent.set(g.session, { ...g })
        this.table.set(g.session, { index: 0, grant: this.grantOf(g.at), landed: g.landed, unsaved: null })
      }
      // Slots already handed out are not known: every tab asks again and
      // queues from now. After a restart the minute it happened in grants
      // nothing more: what it granted before is not known for sure.
      this.next = this.indexAt(this.waveTime(now))
      if (restored.restart) this.closedUntil = minuteOf(now) + MINUTE_MS
    }
  }

  /** Wave time: wall time less every pause, so slots move on by each pause. */
  waveTime(now: number): number {
    return now - this.pausedMs - (this.paused ? now - this.pausedSince : 0)
  }

  private indexAt(waveTime: number): number {
    return Math.max(0, Math.ceil((waveTime - this.startsAt) / this.spacing))
  }

  /** A grant's time as the slot table keeps it: seconds after the change, plus 1. */
  private grantOf(at: number): number {
    return Math.floor((at - this.id.changedAt) / 1000) + 1
  }

  private slotTime(index: number): number {
    return this.startsAt + index * this.spacing
  }

  /** The slots still to come that the tab's address holds; null when not capped. */
  private held(source: number | undefined, waveTime: number): number[] | null {
    if (!source || this.perSource === Infinity) return null
    const now = this.indexAt(waveTime)
    // Addresses that stopped asking: dropped all at once when their number doubles.
    if (this.sources.size > Math.max(1024, this.sweptAt * 2)) {
      for (const [k, q] of this.sources) if (q.length === 0 || q.at(-1)! < now) this.sources.delete(k)
      this.sweptAt = this.sources.size
    }
    let q = this.sources.get(source)
    if (!q) this.sources.set(source, (q = []))
    let passed = 0
    while (passed < q.length && q[passed]! < now) passed++
    if (passed > 0) q.splice(0, passed)
    return q
  }

  private reserve(key: number, from: number, grant: number, unsaved: boolean | null, held: number[] | null): number {
    const index = Math.max(this.next, this.indexAt(from))
    this.next = index + 1
    held?.push(index)
    // A full table remembers no more tabs: a new one is given a slot each time it asks.
    this.table.set(key, { index, grant, landed: false, unsaved })
    return index
  }

  private minute(now: number): WaveMinute {
    const m = minuteOf(now)
    let entry = this.minutes.get(m)
    if (!entry) {
      entry = { minute: m, granted: 0, landed: 0 }
      this.minutes.set(m, entry)
      if (this.minutes.size > MINUTES_KEPT) this.minutes.delete(this.minutes.keys().next().value!)
    }
    return entry
  }

  /**
   * The answer's reloadIn for a tab below the minimum: ms until it may ask
   * for its reload, 0 = start it now (counted against this minute), null =
   * none (paused, or a rate of 0).
   */
  answer(tab: TabAsk, now: number): number | null {
    if (this.paused || this.reloadsPerMinute <= 0) return null
    const key = sessionKey(tab.session)
    const t = this.waveTime(now)
    const entry = this.table.get(key)
    const unsaved = tab.unsaved ?? entry?.unsaved ?? null
    if (entry && entry.unsaved !== unsaved) this.table.set(key, { ...entry, unsaved })
    const held = this.held(tab.source, t)
    // An address that holds its share of slots to come: a new tab of it asks again once the first has passed.
    if (!entry && held && held.length >= this.perSource) return Math.max(1, Math.ceil(this.slotTime(held[0]!) - t) + 1)
    const index = entry?.index ?? this.reserve(key, t, 0, unsaved, held)
    const wait = this.slotTime(index) - t
    if (wait > EARLY_MS) return Math.ceil(wait)
    const grantedAt = entry && entry.grant > 0 ? this.id.changedAt + (entry.grant - 1) * 1000 : null
    if (grantedAt !== null && now - grantedAt < REGRANT_MS) return grantedAt + REGRANT_MS - now
    // Due, but this tab says it cannot reload now, or has not said (in a
    // heartbeat, now or before) that nothing is unsaved: it asks again once it can.
    if (!tab.ready || unsaved !== false) return 1
    const minute = this.minute(now)
    if (now < this.closedUntil || minute.granted >= this.reloadsPerMinute) {
      // This minute is full: the next free slot from the next minute on.
      const later = this.reserve(key, this.waveTime(Math.max(minute.minute, this.closedUntil - MINUTE_MS) + MINUTE_MS), entry?.grant ?? 0, unsaved, held)
      return Math.max(1, Math.ceil(this.slotTime(later) - t))
    }
    minute.granted++
    this.granted++
    this.lastGrantAt = now
    this.table.set(key, { index, grant: this.grantOf(now), landed: false, unsaved })
    this.recent.delete(key)
    this.recent.set(key, { session: key, source: tab.source ?? 0, at: now, landed: false })
    for (const [k, g] of this.recent) {
      if (g.at >= now - RECENT_GRANTS_MS) break
      this.recent.delete(k)
    }
    return 0
  }

  /** A request from a tab at or after the minimum: if it was granted a forced reload, that reload landed. */
  arrived(session: string): void {
    const key = sessionKey(session)
    const entry = this.table.get(key)
    if (!entry || entry.grant === 0 || entry.landed) return
    this.table.set(key, { ...entry, landed: true })
    const recent = this.recent.get(key)
    if (recent) recent.landed = true
    this.landed++
    const grantedAt = this.id.changedAt + (entry.grant - 1) * 1000
    const minute = this.minutes.get(minuteOf(grantedAt))
    if (minute) minute.landed++
  }

  pause(causes: Cause[], now: number): void {
    if (!this.paused) {
      this.paused = true
      this.pausedSince = now
    }
    this.causes = causes
  }

  resume(now: number): void {
    if (!this.paused) return
    this.pausedMs += now - this.pausedSince
    this.paused = false
    this.causes = []
  }

  /** Per-minute counts, oldest first. */
  perMinute(): WaveMinute[] {
    return [...this.minutes.values()].sort((a, b) => a.minute - b.minute)
  }

  /** The forced reloads granted within RECENT_GRANTS_MS of `now`, oldest first. */
  recentGrants(now: number): RecentGrant[] {
    return [...this.recent.values()].filter((g) => g.at >= now - RECENT_GRANTS_MS)
  }

  /** Tabs the wave holds a slot for, and the bytes that takes. */
  get tabs(): { slots: number; bytes: number } {
    return { slots: this.table.size, bytes: this.table.bytes }
  }

  progress(): WaveProgress {
    return {
      startsAt: this.startsAt,
      reloadsPerMinute: this.reloadsPerMinute,
      paused: this.paused,
      pausedSince: this.pausedSince,
      pausedMs: this.pausedMs,
      causes: this.causes,
      granted: this.granted,
      landed: this.landed,
      lastGrantAt: this.lastGrantAt,
      perMinute: this.perMinute(),
      recentGrants: [...this.recent.values()].map((g) => ({ ...g })),
    }
  }
}
