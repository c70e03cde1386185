import { config } from '../config'
import { dropSingleton, existingSingleton, processSingleton } from '../process-singleton'
import { createAlertEvaluator, type AlertEvaluator } from './evaluator'

export { createAlertEvaluator, EVALUATION_INTERVAL_MS, type AlertEvaluator, type EvaluatorOptions, type TickResult } from './evaluator'

// The one evaluator of this process (lib/process-singleton.ts).

/** Starts evaluating every rule every 30 s in this process; a second call returns the running one. */
export function startAlertEvaluator(): AlertEvaluator {
  return processSingleton('alertEvaluator', () => {
    const evaluator = createAlertEvaluator({ baseUrl: config().publicUrl ?? '' })
    evaluator.start()
    return evaluator
  })
}

export async function stopAlertEvaluator(): Promise<void> {
  const evaluator = existingSingleton<AlertEvaluator>('alertEvaluator')
  dropSingleton('alertEvaluator')
  await evaluator?.stop()
}
