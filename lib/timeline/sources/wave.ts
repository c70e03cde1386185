import { liveClasses } from '../../figures/adoption/read-classes'
import { listAudit } from '../../rollout/audit'
import type { Cause } from '../../rollout/wave'
import { loadWaves } from '../../rollout/wave-store'
import type { TimelineEntry, TimelineSource } from '../entry'

// The reload wave's transitions (lib/rollout/): its first forced reload, the
// guard's pauses with their causes and its resumptions (the audit log), and
// its end: its last forced reload started, every one landed, and no live tab
// below its minimum at the window's end (the wave's own record does not say
// whether tabs are still waiting, the live figure does).

/** How many audit entries a window looks through, newest first. */
const AUDIT_LIMIT = 1000

const causesOf = (detail: unknown) => ((detail as { causes?: Cause[] } | null)?.causes ?? []).map((c) => c.summary).join('; ')

export const waveSource: TimelineSource = {
  name: 'wave',
  entries: async (w) => {
    const end = Math.min(w.to, Date.now())
    const [audit, waves, live] = await Promise.all([listAudit(w.projectId, AUDIT_LIMIT), loadWaves(w.projectId), liveClasses({ projectId: w.projectId, at: end, windowSeconds: w.windowSeconds })])
    const inWindow = (at: number) => at >= w.from && at <= w.to
    const entries: TimelineEntry[] = []
    for (const e of audit) {
      if (!inWindow(e.at)) continue
      if (e.action === 'guard_paused') entries.push({ at: e.at, source: 'wave', kind: 'paused', title: `Wave paused by the guard: ${causesOf(e.detail) || 'no cause recorded'}` })
      if (e.action === 'guard_resumed') entries.push({ at: e.at, source: 'wave', kind: 'resumed', title: 'Wave resumed by the guard: its window is clear' })
    }
    for (const wave of waves) {
      if (inWindow(wave.startsAt)) entries.push({ at: wave.startsAt, source: 'wave', kind: 'started', title: `Wave to ${wave.minimum} started at ${wave.reloadsPerMinute} / min` })
      // Only the wave of the minimum in force at the window's end can be judged by the tabs live then.
      const current = wave === waves[0] && live.minSupported === wave.minimum && live.belowMinimumSessions === 0
      const finished = current && wave.lastGrantAt !== null && wave.granted > 0 && wave.landed === wave.granted
      if (finished && inWindow(wave.lastGrantAt!))
        entries.push({ at: wave.lastGrantAt!, source: 'wave', kind: 'finished', title: `Wave to ${wave.minimum} finished: ${wave.granted} forced reloads started, all landed` })
    }
    return entries
  },
}
