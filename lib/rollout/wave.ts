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
// - A tab granted a reload is not granted another within the loop guard
//   (the SDK's default, 10 minutes): one that came back below the minimum
//   reloaded onto the old build, and reloading it again at once helps nobody.

/** A slot this close ahead is due: a tab's timer and its request take a moment. */
export const EARLY_MS = 1000
/** No second grant to one tab within this. */
export const REGRANT_MS = 10 * MINUTE_MS
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
}

/** What a tab's request tells the wave. */
export interface TabAsk {
  session: string
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
  /** Minutes before this one count as full: after a restart, what they granted is not known. */
  private closedUntil = 0

  /**
   * restored: the progress of this wave from before, either from the store
   * after a restart (restart: true) or from this process when the rate
   * changes mid-wave. Either way every tab asks again and queues from now.
   */
  constructor(
    id: WaveIdentity,
    o: { startsAt: number; reloadsPerMinute: number; nodes?: number },
    restored?: { progress: WaveProgress; restart: boolean },
    now = Date.now(),
  ) {
    this.id = id
    this.startsAt = o.startsAt
    this.reloadsPerMinute = Math.floor(o.reloadsPerMinute / (o.nodes ?? 1))
    this.spacing = spacingMs(this.reloadsPerMinute)
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

  private slotTime(index: number): number {
    return this.startsAt + index * this.spacing
  }

  private reserve(key: number, from: number, grant: number, unsaved: boolean | null): number {
    const index = Math.max(this.next, this.indexAt(from))
    this.next = index + 1
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
    const index = entry?.index ?? this.reserve(key, t, 0, unsaved)
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
      const later = this.reserve(key, this.waveTime(Math.max(minute.minute, this.closedUntil - MINUTE_MS) + MINUTE_MS), entry?.grant ?? 0, unsaved)
      return Math.max(1, Math.ceil(this.slotTime(later) - t))
    }
    minute.granted++
    this.granted++
    this.lastGrantAt = now
    this.table.set(key, { index, grant: Math.floor((now - this.id.changedAt) / 1000) + 1, landed: false, unsaved })
    return 0
  }

  /** A request from a tab at or after the minimum: if it was granted a forced reload, that reload landed. */
  arrived(session: string): void {
    const key = sessionKey(session)
    const entry = this.table.get(key)
    if (!entry || entry.grant === 0 || entry.landed) return
    this.table.set(key, { ...entry, landed: true })
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
    }
  }
}
