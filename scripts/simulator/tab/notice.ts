import { NEVER, latestVersionAt, type SimEnvelope } from '../model'
import { make, react, type Tab } from './tab'

/** The SDK reports that the ingest answer named a newer version, and the tab reacts to it. */
export function* notice(tab: Tab, t: number): Generator<SimEnvelope, void, undefined> {
  tab.due.notice = NEVER
  const latest = latestVersionAt(tab.cfg.releases, t, tab.cfg.initialVersion)
  if (latest === tab.version || latest === tab.notifiedFor) return
  tab.notifiedFor = latest
  yield make(tab, t, [{ type: 'update_available', latest }])
  if (tab.action === null && tab.deferred === null) react(tab, t)
}
