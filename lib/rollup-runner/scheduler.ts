import { errorMessage, log } from '../log'
import { dropSingleton, existingSingleton, processSingleton } from '../process-singleton'
import { listProjects } from '../projects/project-store'
import { rollupProject } from './run-project'

// The scheduler that keeps the rollups current, run inside the one server
// process (embedded chDB allows no other). Started once per process
// (lib/process-singleton.ts): Next's route bundles and server.ts may both
// import this module.

export const ROLLUP_INTERVAL_MS = 20_000

export interface RollupRunStats {
  runs: number
  /** Duration of each finished run over all projects, oldest first (the last 1,000). */
  durationsMs: number[]
}

// What the runs took, for the bench (a run must stay well within its interval).
const runStats = () => processSingleton('rollupRunStats', (): RollupRunStats => ({ runs: 0, durationsMs: [] }))

export function rollupRunStats(): RollupRunStats {
  return runStats()
}

/** Rolls up every project once; one project's failure does not stop the others. */
async function rollupAllProjects(now: number = Date.now()): Promise<void> {
  for (const project of await listProjects()) {
    try {
      await rollupProject(project.id, project.livenessWindowSeconds, now)
    } catch (error) {
      log.error('rollup failed', { project: project.id, error: errorMessage(error) })
    }
  }
}

export function startRollups(): { stop: () => void } {
  return processSingleton('rollupsStarted', () => {
    let running = false
    let stopped = false
    const tick = async () => {
      if (running || stopped) return
      running = true
      const started = performance.now()
      try {
        await rollupAllProjects()
      } finally {
        running = false
        const stats = runStats()
        stats.runs++
        stats.durationsMs.push(performance.now() - started)
        if (stats.durationsMs.length > 1000) stats.durationsMs.shift()
      }
    }
    const timer = setInterval(() => void tick(), ROLLUP_INTERVAL_MS)
    timer.unref()
    void tick()
    return {
      stop: () => {
        stopped = true
        clearInterval(timer)
        dropSingleton('rollupsStarted')
      },
    }
  })
}

/** Stops the scheduler of this process, if it runs (a run in progress finishes on its own). */
export function stopRollups(): void {
  existingSingleton<{ stop: () => void }>('rollupsStarted')?.stop()
}
