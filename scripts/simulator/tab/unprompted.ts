import { BEHAVIOUR, type SimEnvelope } from '../model'
import { exponential } from '../prng'
import { nextLoad } from './load'
import type { Tab } from './tab'

// Reloads and navigations that have nothing to do with releases: done by a
// person, so only while the tab is visible (else tried again later).

export function* spontaneousReload(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  if (tab.vis === 'visible') yield* nextLoad(tab, t, 'reload', 'user', [])
  else tab.due.spontaneousReload = t + exponential(tab.rng, BEHAVIOUR.spontaneousReloadMeanMs)
}

export function* navigate(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  if (tab.vis === 'visible') yield* nextLoad(tab, t, tab.rng() < 0.25 ? 'back_forward' : 'navigate', null, [])
  else tab.due.navigate = t + exponential(tab.rng, BEHAVIOUR.navigateMeanMs)
}
