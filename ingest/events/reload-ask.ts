import { addressGroup } from '../../lib/http/client-address'
import { sessionKey } from '../../lib/rollout/slot-table'
import type { StormEvent } from '../../lib/rollout/storm-signal'
import type { TabAsk } from '../../lib/rollout/wave'
import type { EventRow } from '../../lib/events/row'
import { isLoopback } from '../edge/rate-limit'

// What a request tells the reload wave about its tab (lib/rollout/wave.ts
// TabAsk), by the last thing it said here: whether it is hidden or idle
// (ready), and whether it has unsaved work, which only heartbeats say
// (docs/rollout.md). A request that says nothing of its visibility (an SDK
// asking with another event) is not ready; one without a heartbeat says
// nothing of unsaved work, and the wave goes by what the tab said before.
export function reloadAsk(rows: readonly EventRow[]): Pick<TabAsk, 'ready' | 'unsaved'> {
  let ready = false
  let unsaved: boolean | undefined
  for (const row of rows) {
    if (row.unsaved !== undefined) unsaved = row.unsaved === 1
    if (row.visibility) ready = row.visibility === 'hidden' || row.idle === 1
  }
  return { ready, unsaved }
}

/**
 * The key of the address a request came from (TabAsk.source, the guard's count): a
 * 53-bit hash of its group (an IPv4 address, an IPv6 /64), so the wave caps
 * the slots one holder of addresses takes without keeping any address. 0 (not
 * capped) without an address, and for loopback unless the per-address limits
 * apply to it (STALEWATCH_RATE_LIMIT_LOOPBACK): without a trusted proxy, every
 * tab behind a local reverse proxy is that one address.
 */
export function addressKey(address: string | null | undefined, exemptLoopback: boolean): number {
  if (!address || (exemptLoopback && isLoopback(address))) return 0
  return sessionKey(`address\u0000${addressGroup(address)}`)
}

/** A request's resumes and returns from hidden of the last minute, for the guard's storm signals (events sent again later are not a storm now). */
export function stormEvents(rows: readonly EventRow[], receivedAt: number): Record<StormEvent, number> {
  const counts = { resume: 0, visible: 0 }
  for (const row of rows) {
    if (row.event_time < receivedAt - 60_000) continue
    if (row.type === 'resume') counts.resume++
    else if (row.type === 'visibility' && row.visibility === 'visible') counts.visible++
  }
  return counts
}
