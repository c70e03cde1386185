import { errorMessage, log } from '../log'
import { projectById } from '../projects/project-directory'
import { DEFAULT_LIVENESS_WINDOW_SECONDS } from '../projects/project'
import { deliverDue, type DeliverResult } from './deliver'
import { measure } from './measure'
import { measureContext } from './measure-context'
import type { AlertRule } from './rule-schema'
import { listRules } from './rule-store'
import { INITIAL_STATE, sameState, step } from './state-machine'
import { loadStates, saveStates, type StoredState } from './state-store'
import { recordTransitions, type StoredTransition } from './transition-store'
import type { EgressPolicy } from './egress'

// One evaluation pass: measure every rule, step its state machine, store the
// transitions, then the new states, then deliver what is due. Everything it
// needs to resume lives in ClickHouse, so a new evaluator over the same
// engine (a restart) carries on without repeating or dropping a notification.

export interface EvaluatorOptions {
  /** The clock; tests drive it. */
  now?: () => number
  /** Prefix of links in notifications, e.g. https://stalewatch.example.com; relative links when empty. */
  baseUrl?: string
  /** Where deliveries may go; the configured egress rules when absent (lib/alerts/egress.ts). */
  egress?: EgressPolicy
  intervalMs?: number
}

export interface TickResult {
  at: number
  rules: number
  transitions: StoredTransition[]
  delivery: DeliverResult
  errors: { ruleId: string; error: string }[]
}

export interface AlertEvaluator {
  tick(): Promise<TickResult>
  start(): void
  stop(): Promise<void>
}

export const EVALUATION_INTERVAL_MS = 30_000

export function createAlertEvaluator(options: EvaluatorOptions = {}): AlertEvaluator {
  const now = options.now ?? Date.now
  const baseUrl = options.baseUrl ?? ''
  let timer: ReturnType<typeof setInterval> | null = null
  let running: Promise<TickResult> | null = null

  async function evaluate(): Promise<TickResult> {
    const at = now()
    const [rules, states] = await Promise.all([listRules({ includeDeleted: true }), loadStates()])
    const active = rules.filter((r) => !r.deleted)
    const ctx = measureContext(at, async (projectId) => (await projectById(projectId))?.livenessWindowSeconds ?? DEFAULT_LIVENESS_WINDOW_SECONDS)
    const transitions: StoredTransition[] = []
    const changed: StoredState[] = []
    const errors: TickResult['errors'] = []

    for (const rule of active) {
      try {
        const m = await measure(rule.projectId, rule.condition, ctx)
        const prev = states.get(rule.id) ?? INITIAL_STATE
        const { next, transitions: moved } = step(prev, m, at, {
          forMs: rule.condition.forMinutes * 60_000,
          resolveAfter: rule.condition.resolveAfter,
        })
        for (const t of moved) {
          transitions.push({
            projectId: rule.projectId,
            ruleId: rule.id,
            ...t,
            value: m.value,
            threshold: m.threshold,
            ruleName: rule.name,
            summary: m.summary,
            destinationIds: rule.destinations.map((d) => d.id),
          })
        }
        if (!sameState(prev, next)) changed.push({ ...next, ruleId: rule.id, projectId: rule.projectId })
      } catch (error) {
        errors.push({ ruleId: rule.id, error: errorMessage(error) })
        log.error('alert rule evaluation failed', { rule: rule.id, error: errorMessage(error) })
      }
    }

    // Transitions before states: a crash in between re-runs the same
    // evaluation, which writes the same (rule, seq) keys again, not new ones.
    await recordTransitions(transitions, at)
    await saveStates(changed, at)
    const byId = new Map<string, AlertRule>(rules.map((r) => [r.id, r]))
    const delivery = await deliverDue({ now: at, rules: byId, baseUrl, egress: options.egress })
    return { at, rules: active.length, transitions, delivery, errors }
  }

  return {
    tick() {
      // Never two passes at once: a slow pass makes the next tick wait for it.
      running ??= evaluate().finally(() => {
        running = null
      })
      return running
    },
    start() {
      if (timer) return
      timer = setInterval(() => {
        this.tick().catch((error: unknown) => log.error('alert evaluation failed', { error: errorMessage(error) }))
      }, options.intervalMs ?? EVALUATION_INTERVAL_MS)
      timer.unref?.()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = null
      await running?.catch(() => undefined)
    },
  }
}
