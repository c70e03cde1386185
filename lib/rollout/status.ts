import { liveClasses } from '../figures/adoption/read-classes'
import { figureTick, sharedFigure } from '../figures/shared-reads'
import type { Project } from '../projects/project'
import { catalogFor, minSupportedAt } from '../releases/catalog'
import { listAudit, type AuditEntry } from './audit'
import { projectedEnd } from './pace'
import { currentChange, runningWave } from './registry'
import { rolloutSettings, type RolloutSettings } from './settings'
import { loadWaves } from './wave-store'
import type { Cause, WaveMinute } from './wave'

// Where a project's rollout stands, for GET /api/projects/:id/rollout and
// the rollout page: the minimum, the settings, the wave of the minimum in
// force (from this process when it paces it, else as last stored) with the
// same projection the preview makes, and the audit log.

export interface WaveStatusView {
  minimum: string
  changedAt: number
  startsAt: number
  reloadsPerMinute: number
  paused: boolean
  pausedSince: number | null
  causes: Cause[]
  granted: number
  landed: number
  lastGrantAt: number | null
  perMinute: WaveMinute[]
  /** Live tabs below the minimum now. */
  belowMinimum: number
  /** When the last of them will have started at this pace; null while paused, at rate 0, or with no tab left to start. */
  projectedEndAt: number | null
}

export interface RolloutStatus {
  project: string
  minSupported: string | null
  settings: RolloutSettings
  wave: WaveStatusView | null
  audit: AuditEntry[]
}

/** liveAtTick: the live counts and the audit as of the figures' tick, read once for every viewer within it (the rollout page); else as of `now`. */
export async function rolloutStatus(project: Project, now = Date.now(), options: { liveAtTick?: boolean } = {}): Promise<RolloutStatus> {
  const tick = figureTick(now)
  const liveArgs = { projectId: project.id, at: options.liveAtTick ? tick : now, windowSeconds: project.livenessWindowSeconds }
  const [catalog, settings, audit, live] = await Promise.all([
    catalogFor(project.id),
    rolloutSettings(project.id, now),
    // The audit as of the tick too: a minimum change drops it at once (the catalog's mark), a guard's pause shows within the tick.
    options.liveAtTick ? sharedFigure(project.id, 'rolloutAudit', { tick }, () => listAudit(project.id)) : listAudit(project.id),
    options.liveAtTick ? sharedFigure(project.id, 'liveClasses', liveArgs, () => liveClasses(liveArgs)) : liveClasses(liveArgs),
  ])
  const change = currentChange(catalog.minSupportedChanges, now)
  let wave: WaveStatusView | null = null
  if (change) {
    const here = runningWave(project.id)
    const progress = here && here.id.changeId === String(change.changedAt) ? here.progress() : (await loadWaves(project.id, String(change.changedAt)))[0]
    const startsAt = progress?.startsAt ?? change.changedAt + settings.leadSeconds * 1000
    const rate = progress?.reloadsPerMinute ?? settings.reloadsPerMinute
    const paused = progress?.paused ?? false
    const inFlight = (progress?.granted ?? 0) - (progress?.landed ?? 0)
    const waiting = Math.max(0, live.belowMinimumSessions - inFlight)
    wave = {
      minimum: change.version!,
      changedAt: change.changedAt,
      startsAt,
      reloadsPerMinute: rate,
      paused,
      pausedSince: paused ? progress!.pausedSince : null,
      causes: progress?.causes ?? [],
      granted: progress?.granted ?? 0,
      landed: progress?.landed ?? 0,
      lastGrantAt: progress?.lastGrantAt ?? null,
      perMinute: progress?.perMinute ?? [],
      belowMinimum: live.belowMinimumSessions,
      projectedEndAt: paused || waiting === 0 ? null : projectedEnd(waiting, rate, Math.max(now, startsAt)),
    }
  }
  return { project: project.id, minSupported: minSupportedAt(catalog, now), settings, wave, audit }
}
