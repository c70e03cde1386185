import type { SimConfig, SimEnvelope, TabPlan } from '../model'
import { action } from './action'
import { freeze } from './freeze'
import { heartbeat } from './heartbeat'
import { notice } from './notice'
import { answered, durationOf, firstTs, gap, make, maybeFreeze, openTab, scheduleUnprompted, TIMERS, type Tab, type TimerName } from './tab'
import { navigate, spontaneousReload } from './unprompted'
import { visibility } from './visibility'

// A tab's whole life: it opens (or is already open when the window starts),
// then runs whichever named timer is due first until it closes or the window
// ends. A frozen tab runs nothing but its visibility timer (being shown
// wakes it).

const ON_TIMER: Record<TimerName, (tab: Tab, t: number) => Generator<SimEnvelope, void, undefined>> = {
  heartbeat,
  visibility,
  freeze,
  notice,
  action,
  spontaneousReload,
  navigate,
}

/** The earliest timer due before the tab's end, ties to the first in TIMERS; null when none is. */
function nextTimer(tab: Tab): TimerName | null {
  let next: TimerName | null = null
  let at = tab.end
  for (const name of tab.frozen ? (['visibility'] as const) : TIMERS) {
    if (tab.due[name] < at) {
      at = tab.due[name]
      next = name
    }
  }
  return next
}

export function* runTab(cfg: SimConfig, plan: TabPlan): Generator<SimEnvelope, void, undefined> {
  const tab = openTab(cfg, plan)
  let t0: number
  if (plan.preOpen) {
    t0 = cfg.startMs
    tab.due.heartbeat = t0 + Math.floor(tab.rng() * cfg.heartbeatMs)
  } else {
    t0 = plan.startMs
    if (t0 >= tab.end) return
    const env = make(tab, t0, [{ type: 'load', visibility: tab.vis, navigation: plan.navigation }])
    yield env
    tab.due.heartbeat = firstTs(tab, env) + gap(tab)
    answered(tab, env.at)
  }
  tab.due.visibility = t0 + durationOf(tab, tab.vis)
  if (tab.vis === 'hidden') maybeFreeze(tab, t0)
  scheduleUnprompted(tab, t0)

  for (let timer = nextTimer(tab); timer !== null && !tab.closed; timer = tab.closed ? null : nextTimer(tab)) {
    yield* ON_TIMER[timer](tab, tab.due[timer])
  }
}
