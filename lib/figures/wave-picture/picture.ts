import { stepFor } from '../../charts/chart-data'
import { REASON_COLOURS } from '../../charts/palette'
import { catalogFor } from '../../releases/catalog'
import type { AuditEntry } from '../../rollout/audit'
import { spacingMs } from '../../rollout/pace'
import type { WaveStatusView } from '../../rollout/status'
import type { Cause } from '../../rollout/wave'
import { isOrderedBefore } from '../../semantics/version-order'
import { liveClasses } from '../adoption/read-classes'
import { liveMinutes } from '../live-sessions/read-minutes'
import { figureTick, sharedFigure } from '../shared-reads'
import { selfGaps, type SelfGap } from '../self-gaps/read'
import { isUnheard } from '../self-gaps/unheard'

// The wave as a picture on the rollout page (docs/rollout.md, "The wave as
// a picture"): live tabs below the minimum over time (the burn-down),
// forced reloads started and landed per minute, the guard's pauses with
// their causes, and the projected end as a band. Read from the same stored
// state the page's tables show (the wave's progress, the audit log) and the
// live-sessions figure; app/components/wave-chart.tsx only draws it.

const MINUTE = 60_000

export interface WavePoint {
  x: number
  /** Live tabs on a version below the minimum at this minute; null after now. */
  below: number | null
  started: number | null
  landed: number | null
}

export interface WavePause {
  from: number
  /** Now, for a pause still on. */
  to: number
  causes: string
  ongoing: boolean
}

export interface WavePicture {
  from: number
  to: number
  now: number
  points: WavePoint[]
  pauses: WavePause[]
  /**
   * When the last tab below the minimum will have started, as a range: from
   * when the waiting hidden tabs will all have had their slot, to when every
   * waiting tab would have, at the wave's rate. Visible tabs in use wait for
   * a moment they are hidden or idle, so the end is an estimate, later still
   * if they stay in use; null while paused, at rate 0, or with none waiting.
   */
  endBand: { from: number; to: number } | null
  /** Stalewatch's own gaps in the window; the line is empty where it heard no tab. */
  gaps: SelfGap[]
  /** How each part is drawn: a forced reload in the forced reason's colour, as on the reloads chart. */
  style: typeof WAVE_STYLE
}

export const WAVE_STYLE = {
  below: { colour: '#5f3dc4', name: 'live tabs below the minimum', axis: 'tabs below' },
  started: { colour: REASON_COLOURS.forced!, name: 'forced reloads started', axis: 'reloads per minute' },
  landed: { colour: '#087f5b', name: 'landed on the minimum or later' },
  pause: { colour: 'var(--muted)', opacity: 0.18 },
  band: { colour: 'var(--text)', opacity: 0.12, name: 'projected end (estimate)' },
} as const

/** Pauses from the guard's audit entries since the wave's change: each pause until the next resumption, or now. */
function pausesOf(audit: readonly AuditEntry[], since: number, now: number): WavePause[] {
  const entries = audit.filter((e) => e.at >= since && (e.action === 'guard_paused' || e.action === 'guard_resumed')).sort((a, b) => a.at - b.at)
  const pauses: WavePause[] = []
  for (const e of entries) {
    const open = pauses.at(-1)
    if (e.action === 'guard_paused' && !(open && open.ongoing)) {
      const causes = ((e.detail as { causes?: Cause[] } | null)?.causes ?? []).map((c) => c.summary).join('; ')
      pauses.push({ from: e.at, to: now, causes: causes || 'paused by the guard', ongoing: true })
    } else if (e.action === 'guard_resumed' && open?.ongoing) {
      open.to = e.at
      open.ongoing = false
    }
  }
  return pauses
}

/** liveAtTick: the live figures as of the figures' tick, read once for every viewer within it (the rollout page, shared-reads.ts). */
export async function wavePicture(
  project: { id: string; livenessWindowSeconds: number },
  wave: WaveStatusView,
  audit: readonly AuditEntry[],
  now: number,
  options: { liveAtTick?: boolean } = {},
): Promise<WavePicture> {
  const step = stepFor(now - (wave.changedAt - 5 * MINUTE))
  // On the live-sessions figure's grid: boundaries on whole steps.
  const from = Math.floor((wave.changedAt - 5 * MINUTE) / (step * MINUTE)) * step * MINUTE
  const liveAt = options.liveAtTick ? figureTick(now) : now
  const minutesArgs = { projectId: project.id, from, to: liveAt, windowSeconds: project.livenessWindowSeconds, stepMinutes: step }
  const classesArgs = { projectId: project.id, at: liveAt, windowSeconds: project.livenessWindowSeconds }
  const shared = <T>(figure: string, args: object, read: () => Promise<T>) => (options.liveAtTick ? sharedFigure(project.id, figure, args, read) : read())
  const [catalog, rows, classes, gaps] = await Promise.all([
    catalogFor(project.id),
    shared('liveMinutes', minutesArgs, () => liveMinutes(minutesArgs)),
    shared('liveClasses', classesArgs, () => liveClasses(classesArgs)),
    shared('selfGaps', { from, to: liveAt }, () => selfGaps({ from, to: liveAt })),
  ])
  const below = new Map<number, number>()
  for (const r of rows) {
    if (isOrderedBefore(catalog, r.version, wave.minimum, r.minute)) below.set(r.minute, (below.get(r.minute) ?? 0) + r.sessions)
  }
  const perMinute = new Map(wave.perMinute.map((m) => [m.minute, m]))
  const waiting = Math.max(0, wave.belowMinimum - (wave.granted - wave.landed))
  const hiddenWaiting = Math.min(waiting, classes.versions.reduce((n, v) => n + (v.belowMinimum ? v.hidden : 0), 0))
  const start = Math.max(now, wave.startsAt)
  const spacing = spacingMs(wave.reloadsPerMinute)
  const endBand =
    wave.paused || !Number.isFinite(spacing) || waiting === 0
      ? null
      : { from: Math.round(start + Math.max(1, hiddenWaiting) * spacing), to: Math.round(start + Math.max(waiting, hiddenWaiting + 1) * spacing) }
  const to = Math.max(now, endBand?.to ?? now) + step * MINUTE
  const points: WavePoint[] = []
  for (let x = from; x <= to; x += step * MINUTE) {
    // Starts and landings are counted per wall-clock minute; on a coarser grid, summed into their step.
    let started = 0
    let landed = 0
    for (let m = x; m < x + step * MINUTE; m += MINUTE) {
      started += perMinute.get(m)?.granted ?? 0
      landed += perMinute.get(m)?.landed ?? 0
    }
    const measured = x <= now
    // Tabs Stalewatch did not hear are not tabs that reloaded (docs/semantics.md, Stalewatch's own gaps).
    const heard = measured && !isUnheard(x, gaps, project.livenessWindowSeconds * 1000, step * MINUTE)
    points.push({ x, below: heard ? (below.get(x) ?? 0) : null, started: measured ? started : null, landed: measured ? landed : null })
  }
  return { from, to, now, points, pauses: pausesOf(audit, wave.changedAt, now), endBand, gaps, style: WAVE_STYLE }
}
