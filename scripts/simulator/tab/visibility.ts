import { clamp, logNormal, uniform } from '../prng'
import { MINUTE, NEVER, SECOND, type SimEnvelope } from '../model'
import { answered, durationOf, gap, make, maybeFreeze, type Action, type Tab } from './tab'

/** The tab is shown or hidden; a frozen tab is woken up by being shown. */
export function* visibility(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  let env: SimEnvelope
  if (tab.frozen) {
    tab.frozen = false
    tab.vis = 'visible'
    env = make(tab, t, [{ type: 'resume' }, { type: 'visibility', visibility: 'visible' }])
    yield env
    tab.due.heartbeat = env.at + gap(tab)
    // Timers that fell due while frozen run right after the page wakes up.
    const wake = (x: number) => (x < env.at ? env.at + uniform(tab.rng, 100, 2_000) : x)
    tab.due.notice = wake(tab.due.notice)
    tab.due.action = wake(tab.due.action)
    tab.due.spontaneousReload = wake(tab.due.spontaneousReload)
    tab.due.navigate = wake(tab.due.navigate)
  } else {
    tab.vis = tab.vis === 'visible' ? 'hidden' : 'visible'
    env = make(tab, t, [{ type: 'visibility', visibility: tab.vis }])
    yield env
  }
  tab.due.visibility = env.at + durationOf(tab, tab.vis)
  if (tab.vis === 'hidden') {
    maybeFreeze(tab, env.at)
  } else {
    tab.due.freeze = NEVER
    // An action that needed the tab shown runs soon after it is.
    if (tab.deferred !== null) {
      const a: Action = tab.deferred
      tab.deferred = null
      tab.action = a
      tab.due.action = env.at + (a.kind === 'prompt_show' ? uniform(tab.rng, 1_000, 5_000) : clamp(logNormal(tab.rng, 2 * MINUTE, 1), 5 * SECOND, 30 * MINUTE))
    }
  }
  answered(tab, env.at)
}
