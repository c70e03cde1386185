import { config } from './config'
import { log, errorMessage } from './log'
import { processSingleton } from './process-singleton'
import { migrate } from './store/migrate'

// Work done once when a server process starts: the schema is brought up to
// date before the first request, then the background jobs start (rollups,
// alert evaluation). Once per process (lib/process-singleton.ts), so a server
// that both runs server.ts and Next's instrumentation does it once.

export function onServerStart(): Promise<void> {
  return processSingleton('serverStarted', async () => {
    // Named in the error line: a failed migration and a background job that
    // could not start need different fixes.
    let step = 'migrations'
    try {
      await migrate()
      // With several nodes against one ClickHouse, exactly one runs the
      // background jobs; the others set STALEWATCH_BACKGROUND_JOBS=0.
      const backgroundJobs = config().backgroundJobs
      step = 'background jobs'
      if (backgroundJobs) {
        const { startRollups } = await import('./rollup-runner/scheduler')
        startRollups()
        const { startAlertEvaluator } = await import('./alerts')
        startAlertEvaluator()
      }
      // Every node paces reload waves; the one running background jobs also runs their guard.
      step = 'reload waves'
      const { startRollout } = await import('./rollout/start')
      startRollout(backgroundJobs)
    } catch (error) {
      log.error('server start failed', { step, error: errorMessage(error) })
      throw error
    }
  })
}

/** Stops the background jobs (SIGTERM), before the store closes. */
export async function onServerStop(): Promise<void> {
  const { stopRollout } = await import('./rollout/start')
  await stopRollout()
  const { stopAlertEvaluator } = await import('./alerts')
  await stopAlertEvaluator()
  const { stopRollups } = await import('./rollup-runner/scheduler')
  stopRollups()
}
