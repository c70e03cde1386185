import type { TabAsk } from '../lib/rollout/wave'
import type { EventRow } from './event-row'

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
