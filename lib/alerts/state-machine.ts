// The life of one rule, as a pure function of its previous state and one
// measurement: ok → pending → firing → (resolved) ok. Unit-tested; the
// evaluator stores what it returns.

export type AlertState = 'ok' | 'pending' | 'firing'
export type TransitionKind = 'pending' | 'firing' | 'resolved' | 'cancelled'

export interface RuleState {
  state: AlertState
  /** Number of transitions so far: the next one is seq + 1. */
  seq: number
  /** When the current pending/firing episode began (its first breaching evaluation). */
  since: number | null
  /** Evaluations in a row with the value at or below the resolve level, while firing. */
  clearCount: number
}

export const INITIAL_STATE: RuleState = { state: 'ok', seq: 0, since: null, clearCount: 0 }

export interface Judgement {
  /** Above the threshold, and the rule applies (grace passed, there is traffic…). */
  breaching: boolean
  /** At or below threshold × (1 − margin), or the rule does not apply now. */
  clear: boolean
}

export interface StepOptions {
  forMs: number
  resolveAfter: number
}

export interface Transition {
  kind: TransitionKind
  seq: number
  at: number
  since: number
}

export function step(prev: RuleState, judgement: Judgement, now: number, options: StepOptions): { next: RuleState; transitions: Transition[] } {
  const transitions: Transition[] = []
  let next = prev
  const go = (state: AlertState, kind: TransitionKind, since: number | null, episodeStart: number) => {
    next = { state, seq: next.seq + 1, since, clearCount: 0 }
    transitions.push({ kind, seq: next.seq, at: now, since: episodeStart })
  }

  if (prev.state === 'ok' && judgement.breaching) go('pending', 'pending', now, now)
  else if (prev.state === 'pending' && !judgement.breaching) go('ok', 'cancelled', null, prev.since ?? now)

  // Pending long enough fires, in the same evaluation when forMs is 0.
  if (next.state === 'pending' && judgement.breaching && now - (next.since ?? now) >= options.forMs) {
    go('firing', 'firing', next.since, next.since ?? now)
  } else if (prev.state === 'firing') {
    const clearCount = judgement.clear ? prev.clearCount + 1 : 0
    if (clearCount >= options.resolveAfter) go('ok', 'resolved', null, prev.since ?? now)
    else next = { ...prev, clearCount }
  }
  return { next, transitions }
}

export function sameState(a: RuleState, b: RuleState): boolean {
  return a.state === b.state && a.seq === b.seq && a.since === b.since && a.clearCount === b.clearCount
}
