import { config } from '../config'
import { errorMessage, log } from '../log'
import type { MinSupportedChange } from '../releases/release-store'
import { rolloutSettings } from './settings'
import { loadWaves } from './wave-store'
import { Wave, type TabAsk } from './wave'
import { processSingleton } from '../process-singleton'

// The waves this process paces, one per project at most: the wave of the
// change that set the minimum now in force. Kept on globalThis because the
// Next route bundle and server.ts each load their own copy of this module,
// and the ingest answers, the pages and the guard must see the same wave.

interface Registry {
  waves: Map<string, Wave>
  loading: Map<string, Promise<Wave>>
  /** Waves ended by a change of the minimum, for the guard's loop to record once. */
  ended: Wave[]
}

const registry = (): Registry => processSingleton<Registry>('rolloutWaves', () => ({ waves: new Map(), loading: new Map(), ended: [] }))

/**
 * The change that began the minimum in force at t: the first of the latest
 * run of changes to the same version (setting the same minimum again, as CI
 * may on every deploy, continues its wave). Null when no minimum is set.
 */
export function currentChange(changes: readonly MinSupportedChange[], at: number): MinSupportedChange | null {
  let i = -1
  for (let j = 0; j < changes.length; j++) if (changes[j]!.changedAt <= at) i = j
  if (i < 0 || changes[i]!.version === null) return null
  while (i > 0 && changes[i - 1]!.version === changes[i]!.version) i--
  return changes[i]!
}

/** The wave of this change, created (or carried on from the store) on first use; null without a change. */
export async function waveFor(projectId: string, change: MinSupportedChange | null, at: number): Promise<Wave | null> {
  const r = registry()
  const changeId = change ? String(change.changedAt) : null
  const running = r.waves.get(projectId)
  if (running && running.id.changeId !== changeId) {
    // The minimum changed (raised further, lowered or cleared): this wave ends now.
    r.waves.delete(projectId)
    r.ended.push(running)
  }
  if (!change) return null
  const settings = await rolloutSettings(projectId, at)
  const rate = Math.floor(settings.reloadsPerMinute / config().rolloutNodes)
  const current = r.waves.get(projectId)
  if (current && current.id.changeId === changeId) {
    if (current.reloadsPerMinute === rate) return current
    // The rate changed mid-wave: the same wave at the new pace, from now.
    const repaced = new Wave(current.id, { startsAt: current.startsAt, reloadsPerMinute: settings.reloadsPerMinute, nodes: config().rolloutNodes, addressSeconds: config().waveAddressSeconds }, { progress: current.progress(), restart: false }, at)
    r.waves.set(projectId, repaced)
    return repaced
  }
  const key = `${projectId}\u0000${changeId}`
  let loading = r.loading.get(key)
  if (!loading) {
    loading = (async () => {
      // A wave this change already had (before a restart) carries on from its stored progress.
      const [stored] = await loadWaves(projectId, changeId!).catch((error: unknown) => {
        log.warn('rollout: stored wave not read; starting it afresh', { project: projectId, error: errorMessage(error) })
        return []
      })
      const id = { projectId, changeId: changeId!, minimum: change.version!, changedAt: change.changedAt }
      const wave = new Wave(
        id,
        {
          startsAt: stored?.startsAt ?? change.changedAt + settings.leadSeconds * 1000,
          reloadsPerMinute: settings.reloadsPerMinute,
          nodes: config().rolloutNodes,
          addressSeconds: config().waveAddressSeconds,
        },
        stored && stored.status === 'running' ? { progress: stored, restart: true } : undefined,
        at,
      )
      r.waves.set(projectId, wave)
      return wave
    })().finally(() => r.loading.delete(key))
    r.loading.set(key, loading)
  }
  return loading
}

/**
 * The reloadIn of an ingest answer (docs/wire-format.md): the tab's slot in
 * the wave of the minimum in force, for a tab below it; null otherwise. A tab
 * at or after the minimum that the wave granted a reload has landed.
 */
export async function reloadIn(
  projectId: string,
  changes: readonly MinSupportedChange[],
  belowMinimum: boolean,
  tab: TabAsk & { replay?: boolean },
  at: number,
): Promise<number | null> {
  const wave = await waveFor(projectId, currentChange(changes, at), at)
  if (!wave) return null
  if (!belowMinimum) {
    wave.arrived(tab.session)
    return null
  }
  // Events of an earlier load, sent again by a later one: the answer is not for a page that could reload.
  if (tab.replay) return null
  return wave.answer(tab, at)
}

/** The waves running in this process. */
export function runningWaves(): Wave[] {
  return [...registry().waves.values()]
}

/** The running wave of a project in this process, if any. */
export function runningWave(projectId: string): Wave | undefined {
  return registry().waves.get(projectId)
}

/** Waves ended since the last call (each returned once). */
export function takeEndedWaves(): Wave[] {
  return registry().ended.splice(0)
}

/** Ends a project's wave now (the minimum changed through this process): its tabs get no slot from here on. */
export function endWave(projectId: string): void {
  const r = registry()
  const wave = r.waves.get(projectId)
  if (!wave) return
  r.waves.delete(projectId)
  r.ended.push(wave)
}
