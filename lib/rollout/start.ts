import { config } from '../config'
import { dropSingleton, existingSingleton, processSingleton } from '../process-singleton'
import { errorMessage, log } from '../log'
import { listAudit, writeAudit } from './audit'
import { GUARD, ingestCause, landingCause, stormCauses } from './guard'
import { ingestErrors } from './ingest-signal'
import { recordPause } from './metrics'
import { guardNotification, notifyDestinations } from './notify'
import { runningWaves, takeEndedWaves } from './registry'
import { loadWaves, saveWave, type WaveStatus } from './wave-store'
import type { Cause, Wave } from './wave'

// The rollout's background loop, every 5 s in every server process:
// - records waves that a change of the minimum ended, and each running
//   wave's progress (so a restart and the pages carry on from it), and keeps
//   the audit entry of its change up to date with what happened;
// - where background jobs run (one node: STALEWATCH_BACKGROUND_JOBS), the
//   guard decides: it pauses a wave on trouble and resumes it once clear, and
//   tells the alert destinations; on the other nodes, each wave follows the
//   pause the guard stored.

export const ROLLOUT_INTERVAL_MS = 5_000
/** Storms are judged (the project's own rules read from ClickHouse): at most this often per wave. */
const STORM_EVERY_MS = 30_000

export interface Loop {
  timer: ReturnType<typeof setInterval>
  running: Promise<void> | null
  decides: boolean
  clear: Map<Wave, number>
  storms: Map<string, { at: number; causes: Cause[] }>
  saved: Map<Wave, string>
}


const record = (wave: Wave, status: WaveStatus, now: number) => saveWave({ ...wave.id, ...wave.progress(), status, updatedAt: 0 }, now)

/** What happened, for the audit entry of the change that started the wave. */
export function outcomeOf(wave: Wave, status: WaveStatus, now: number) {
  const perMinute = wave.perMinute()
  return {
    status,
    ...(status === 'ended' ? { endedAt: now } : {}),
    startsAt: wave.startsAt,
    reloadsPerMinute: wave.reloadsPerMinute,
    granted: wave.granted,
    landed: wave.landed,
    lastGrantAt: wave.lastGrantAt,
    maxPerMinute: perMinute.reduce((max, m) => Math.max(max, m.granted), 0),
    pausedMs: wave.pausedMs + (wave.paused ? now - wave.pausedSince : 0),
    paused: wave.paused,
  }
}

async function updateChangeAudit(wave: Wave, status: WaveStatus, now: number): Promise<void> {
  const entry = (await listAudit(wave.id.projectId, 200)).find((e) => e.id === `change-${wave.id.changeId}`)
  if (entry) await writeAudit({ ...entry, outcome: outcomeOf(wave, status, now) }, now)
}

async function guard(loop: Loop, wave: Wave, now: number): Promise<void> {
  const { projectId, changeId } = wave.id
  const windowSeconds = config().guardWindowSeconds
  const causes: Cause[] = []
  const ingest = ingestCause(ingestErrors(windowSeconds, now), windowSeconds, wave.paused)
  if (ingest) causes.push(ingest)
  const landing = landingCause(wave.recentGrants(now), now)
  if (landing) causes.push(landing)
  let storms = loop.storms.get(projectId)
  if (!storms || now - storms.at >= STORM_EVERY_MS) {
    storms = { at: now, causes: await stormCauses(projectId, now).catch(() => storms?.causes ?? []) }
    loop.storms.set(projectId, storms)
  }
  causes.push(...storms.causes)

  const baseUrl = config().publicUrl ?? ''
  if (causes.length > 0) {
    loop.clear.set(wave, 0)
    if (wave.paused) {
      wave.causes = causes
      return
    }
    wave.pause(causes, now)
    for (const c of causes) recordPause(projectId, c.cause)
    log.warn('rollout: wave paused', { project: projectId, minimum: wave.id.minimum, causes: causes.map((c) => c.summary).join('; ') })
    await record(wave, 'running', now)
    await writeAudit({ id: `pause-${changeId}-${now}`, projectId, at: now, action: 'guard_paused', actor: 'guard', from: null, to: wave.id.minimum, detail: { causes }, outcome: null }, now)
    void notifyDestinations(projectId, guardNotification(wave, 'paused', causes, now, baseUrl))
    return
  }
  if (!wave.paused) return
  const clear = (loop.clear.get(wave) ?? 0) + 1
  loop.clear.set(wave, clear)
  if (clear < GUARD.clearEvaluations) return
  const since = wave.pausedSince
  const was = wave.causes
  wave.resume(now)
  log.info('rollout: wave resumed', { project: projectId, minimum: wave.id.minimum, pausedMs: now - since })
  await record(wave, 'running', now)
  await writeAudit(
    { id: `resume-${changeId}-${now}`, projectId, at: now, action: 'guard_resumed', actor: 'guard', from: null, to: wave.id.minimum, detail: { causes: was, pausedMs: now - since }, outcome: null },
    now,
  )
  const n = guardNotification(wave, 'resumed', was, now, baseUrl)
  n.since = since
  void notifyDestinations(projectId, n)
}

/** Another node decides: take the pause it stored. */
async function follow(wave: Wave, now: number): Promise<void> {
  const [stored] = await loadWaves(wave.id.projectId, wave.id.changeId)
  if (!stored || stored.paused === wave.paused) return
  if (stored.paused) wave.pause(stored.causes, stored.pausedSince)
  else wave.resume(now)
}

/** A loop's state without its timer, for tests that drive ticks themselves. */
export function rolloutLoop(decides: boolean): Loop {
  return { timer: undefined as unknown as ReturnType<typeof setInterval>, running: null, decides, clear: new Map(), storms: new Map(), saved: new Map() }
}

/** One pass of the loop at `now`. */
export async function tick(loop: Loop, now = Date.now()): Promise<void> {
  for (const wave of takeEndedWaves()) {
    loop.clear.delete(wave)
    loop.saved.delete(wave)
    await record(wave, 'ended', now)
    await updateChangeAudit(wave, 'ended', now)
  }
  for (const wave of runningWaves()) {
    try {
      if (loop.decides) await guard(loop, wave, now)
      else await follow(wave, now)
      // Written when something changed, so the store's progress is at most one tick old.
      const state = JSON.stringify([wave.granted, wave.landed, wave.paused, wave.causes.length])
      if (loop.saved.get(wave) !== state) {
        await record(wave, 'running', now)
        await updateChangeAudit(wave, 'running', now)
        loop.saved.set(wave, state)
      }
    } catch (error) {
      log.error('rollout: wave tick failed', { project: wave.id.projectId, error: errorMessage(error) })
    }
  }
}

/** Starts the loop in this process; `decides`: this process runs the guard (background jobs). */
export function startRollout(decides: boolean): void {
  if (existingSingleton<Loop>('rolloutLoop')) return
  const loop: Loop = {
    running: null,
    decides,
    clear: new Map(),
    storms: new Map(),
    saved: new Map(),
    timer: setInterval(() => {
      loop.running ??= tick(loop)
        .catch((error: unknown) => log.error('rollout: tick failed', { error: errorMessage(error) }))
        .finally(() => (loop.running = null))
    }, ROLLOUT_INTERVAL_MS),
  }
  loop.timer.unref?.()
  processSingleton('rolloutLoop', () => loop)
}

export async function stopRollout(): Promise<void> {
  const loop = existingSingleton<Loop>('rolloutLoop')
  if (!loop) return
  clearInterval(loop.timer)
  dropSingleton('rolloutLoop')
  await loop.running?.catch(() => undefined)
  // The last progress, so a restart carries on from it.
  await tick(loop).catch(() => undefined)
}
