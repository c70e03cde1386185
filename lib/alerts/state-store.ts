import { insertRows, runQuery } from '../store/run-query'
import { table } from '../store/tables'
import type { AlertState, RuleState } from './state-machine'

export interface StoredState extends RuleState {
  ruleId: string
  projectId: string
}

export async function loadStates(): Promise<Map<string, RuleState>> {
  const rows = await runQuery<{ rule_id: string; state: string; seq: number; since: number | string | null; clear_count: number }>(
    'loadAlertStates',
    `SELECT rule_id, state, seq, toUnixTimestamp64Milli(since) AS since, clear_count FROM ${table('alert_rule_state')} FINAL`,
  )
  return new Map(
    rows.map((r) => [
      r.rule_id,
      { state: r.state as AlertState, seq: Number(r.seq), since: r.since === null ? null : Number(r.since), clearCount: Number(r.clear_count) },
    ]),
  )
}

/** One insert for every rule whose state changed in this evaluation. */
export async function saveStates(states: readonly StoredState[], now: number): Promise<void> {
  if (states.length === 0) return
  await insertRows(
    'saveAlertStates',
    table('alert_rule_state'),
    states.map((s) => ({
      project_id: s.projectId,
      rule_id: s.ruleId,
      state: s.state,
      seq: s.seq,
      since: s.since,
      clear_count: s.clearCount,
      updated_at: now,
    })),
  )
}
