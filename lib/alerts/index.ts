import { createAlertEvaluator, type AlertEvaluator } from './evaluator'

export { createAlertEvaluator, EVALUATION_INTERVAL_MS, type AlertEvaluator, type EvaluatorOptions, type TickResult } from './evaluator'

// The one evaluator of this process. Next.js bundles route modules apart from
// server.ts, so the guard lives on globalThis, not in a module variable.
const EVALUATOR_KEY = Symbol.for('stalewatch.alertEvaluator')
type Holder = { [EVALUATOR_KEY]?: AlertEvaluator }

/** Starts evaluating every rule every 30 s in this process; a second call returns the running one. */
export function startAlertEvaluator(): AlertEvaluator {
  const holder = globalThis as Holder
  if (!holder[EVALUATOR_KEY]) {
    const evaluator = createAlertEvaluator({ baseUrl: process.env.STALEWATCH_PUBLIC_URL ?? '' })
    evaluator.start()
    holder[EVALUATOR_KEY] = evaluator
  }
  return holder[EVALUATOR_KEY]
}

export async function stopAlertEvaluator(): Promise<void> {
  const holder = globalThis as Holder
  const evaluator = holder[EVALUATOR_KEY]
  delete holder[EVALUATOR_KEY]
  await evaluator?.stop()
}
