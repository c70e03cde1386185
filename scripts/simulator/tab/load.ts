import type { Navigation, ReloadReason } from '../../../sdk/src/wire'
import { BEHAVIOUR, NEVER, latestVersionAt, type SimEnvelope } from '../model'
import { uniform } from '../prng'
import { answered, durationOf, firstTs, gap, make, maybeFreeze, scheduleUnprompted, type EventBody, type Tab } from './tab'

// Leaving one page load for the next: a reload (for a reason) or a navigation.

// What the SDK sends when a chunk of the old build is gone (sdk/src/skew.ts):
// a skew_error with the chunk's path group, before the reload it asks for.
function chunkError(tab: Tab, t: number): EventBody {
  return { type: 'skew_error', cause: 'gone', path: '/_next/static/chunks/*-*.js', age: Math.max(0, Math.round(t - tab.loadedAt)) }
}

/** Leaves the current load (reporting why, unless it is the browser's own reload) and starts the next. */
export function* nextLoad(tab: Tab, t: number, navigation: Navigation, reason: ReloadReason | null, pre: EventBody[]): Generator<SimEnvelope, void, undefined> {
  const bodies: EventBody[] = [...pre]
  if (reason === 'chunk_error') bodies.unshift(chunkError(tab, t))
  if (reason !== null && reason !== 'user') bodies.push({ type: 'reload', reason })
  if (bodies.length > 0) yield make(tab, t, bodies)
  // The new page is up before the old one's next heartbeat would have been due.
  const loadAt = Math.max(tab.lastT + 1, Math.min(t + uniform(tab.rng, BEHAVIOUR.reloadDurationMs.min, BEHAVIOUR.reloadDurationMs.max), tab.due.heartbeat))
  if (loadAt >= tab.end) {
    tab.closed = true
    return
  }
  const previousVersion = tab.version
  tab.loadNo++
  tab.load = `${tab.plan.id}_${tab.loadNo.toString(36)}`
  tab.loadedAt = loadAt
  tab.version = latestVersionAt(tab.cfg.releases, loadAt, tab.cfg.initialVersion)
  if (navigation !== 'reload' || reason === 'user' || reason === 'update_prompt' || reason === 'chunk_error') tab.vis = 'visible'
  tab.frozen = false
  const env = make(tab, loadAt, [{ type: 'load', visibility: tab.vis, navigation, previousVersion }])
  yield env
  tab.due.heartbeat = firstTs(tab, env) + gap(tab)
  tab.action = null
  tab.deferred = null
  tab.due.action = NEVER
  tab.due.notice = NEVER
  tab.notifiedFor = null
  if (tab.due.visibility <= env.at) tab.due.visibility = env.at + durationOf(tab, tab.vis)
  if (tab.vis === 'hidden') maybeFreeze(tab, env.at)
  else tab.due.freeze = NEVER
  scheduleUnprompted(tab, env.at)
  answered(tab, env.at)
}
