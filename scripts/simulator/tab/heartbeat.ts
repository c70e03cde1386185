import type { SimEnvelope } from '../model'
import { answered, firstTs, gap, make, type Tab } from './tab'

/** The SDK's heartbeat, hidden or visible. */
export function* heartbeat(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  const env = make(tab, t, [{ type: 'heartbeat', visibility: tab.vis }])
  yield env
  tab.due.heartbeat = firstTs(tab, env) + gap(tab)
  answered(tab, env.at)
}
