import { NEVER, type SimEnvelope } from '../model'
import { make, type Tab } from './tab'

/** A hidden tab frozen by the browser: it sends nothing until shown. */
export function* freeze(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  yield make(tab, t, [{ type: 'freeze' }])
  tab.frozen = true
  tab.due.freeze = NEVER
}
