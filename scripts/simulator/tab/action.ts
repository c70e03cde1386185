import { BEHAVIOUR, NEVER, SECOND, MINUTE, type SimEnvelope } from '../model'
import { clamp, exponential, logNormal } from '../prng'
import { nextLoad } from './load'
import { make, needsVisible, type Action, type Tab } from './tab'

/** The reaction to an update: the prompt shown, accepted or dismissed, or a reload for a reason. */
export function* action(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  const a = tab.action as Action
  tab.action = null
  tab.due.action = NEVER
  if (needsVisible(a) && tab.vis === 'hidden') {
    tab.deferred = a
    return
  }
  const { rng } = tab
  if (a.kind === 'prompt_show') {
    yield make(tab, t, [{ type: 'update_prompt', action: 'shown' }])
    if (!tab.plan.straggler && rng() < BEHAVIOUR.promptAccept) {
      tab.action = { kind: 'prompt_accept' }
      tab.due.action = t + clamp(logNormal(rng, BEHAVIOUR.promptAcceptMedianMs, 1), 2 * SECOND, 20 * MINUTE)
    } else {
      tab.action = { kind: 'prompt_dismiss' }
      tab.due.action = t + clamp(logNormal(rng, 15 * SECOND, 0.8), 1 * SECOND, 5 * MINUTE)
    }
  } else if (a.kind === 'prompt_accept') {
    yield* nextLoad(tab, t, 'reload', 'update_prompt', [{ type: 'update_prompt', action: 'accepted' }])
  } else if (a.kind === 'prompt_dismiss') {
    yield make(tab, t, [{ type: 'update_prompt', action: 'dismissed' }])
    if (!tab.plan.straggler && rng() < BEHAVIOUR.reloadAfterDismiss) {
      tab.action = { kind: 'reload', reason: 'user' }
      tab.due.action = t + exponential(rng, 45 * MINUTE)
    }
  } else {
    yield* nextLoad(tab, t, 'reload', a.reason, [])
  }
}
