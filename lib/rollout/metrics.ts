import type { MetricFamily, Sample } from '../metrics/exposition'
import { runningWaves } from './registry'
import { processSingleton } from '../process-singleton'

// The rollout's part of /api/metrics: each running wave's pause, pace and
// progress in this process, and the pauses so far by cause.

const pauses = () => processSingleton('rolloutPauses', () => new Map<string, number>())

export function recordPause(projectId: string, cause: string): void {
  const key = `${projectId}\u0000${cause}`
  pauses().set(key, (pauses().get(key) ?? 0) + 1)
}

export function rolloutFamilies(now = Date.now()): MetricFamily[] {
  const waves = runningWaves()
  const per = (value: (w: (typeof waves)[number]) => number): Sample[] => waves.map((w) => ({ labels: { project: w.id.projectId }, value: value(w) }))
  const paused: Sample[] = per((w) => (w.paused ? 1 : 0))
  const causes: Sample[] = waves.flatMap((w) => w.causes.map((c) => ({ labels: { project: w.id.projectId, cause: c.cause }, value: 1 })))
  const total: Sample[] = [...pauses()].map(([key, value]) => {
    const [project, cause] = key.split('\u0000') as [string, string]
    return { labels: { project, cause }, value }
  })
  return [
    { name: 'stalewatch_rollout_paused', help: "1 while the guard holds the project's reload wave (no new forced reload starts), else 0.", type: 'gauge', samples: paused },
    { name: 'stalewatch_rollout_pause_cause', help: 'The causes of a running pause, 1 each.', type: 'gauge', samples: causes },
    { name: 'stalewatch_rollout_pauses_total', help: 'Pauses of reload waves by the guard, by cause.', type: 'counter', samples: total },
    { name: 'stalewatch_rollout_reloads_per_minute', help: "The rate this process paces the project's wave at.", type: 'gauge', samples: per((w) => w.reloadsPerMinute) },
    { name: 'stalewatch_rollout_forced_reloads_granted_total', help: 'Forced reloads the wave let start.', type: 'counter', samples: per((w) => w.granted) },
    { name: 'stalewatch_rollout_forced_reloads_landed_total', help: 'Of those, tabs whose next load was at or after the minimum.', type: 'counter', samples: per((w) => w.landed) },
    { name: 'stalewatch_rollout_wave_tabs', help: 'Tabs holding a slot in the wave.', type: 'gauge', samples: per((w) => w.tabs.slots) },
    { name: 'stalewatch_rollout_wave_paused_seconds', help: 'Time the wave has been paused in all.', type: 'gauge', samples: per((w) => (w.pausedMs + (w.paused ? now - w.pausedSince : 0)) / 1000) },
  ]
}
