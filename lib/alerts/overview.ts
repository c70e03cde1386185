import { publicRule, type AlertRule } from './rule-schema'
import { listRules } from './rule-store'
import { INITIAL_STATE, type RuleState } from './state-machine'
import { loadStates } from './state-store'
import { listTransitions, type StoredTransition } from './transition-store'

// What the alerts page and GET /api/alerts/rules show: each rule with where
// it stands, and the history of transitions. One function, so the page and
// the API can never disagree.

export interface RuleOverview extends ReturnType<typeof publicRule> {
  state: RuleState
}

export async function rulesOverview(projectId?: string): Promise<RuleOverview[]> {
  const [rules, states] = await Promise.all([listRules({ projectId }), loadStates()])
  return rules.map((r: AlertRule) => ({ ...publicRule(r), state: states.get(r.id) ?? INITIAL_STATE }))
}

export interface HistoryEntry extends StoredTransition {
  id: string
}

export async function alertHistory(projectId?: string, limit = 100): Promise<HistoryEntry[]> {
  const transitions = await listTransitions({ projectId, limit })
  return transitions.map((t) => ({ ...t, id: `${t.ruleId}:${t.seq}` }))
}
