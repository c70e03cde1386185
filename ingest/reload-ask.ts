import type { EventRow } from './event-row'

// What a request tells the reload wave about its tab (lib/rollout/wave.ts
// TabAsk): whether, by the last thing it said, the tab could take a forced
// reload now. Hidden, or a heartbeat saying idle, and no heartbeat in the
// request saying unsaved work (docs/rollout.md). A tab that said nothing of
// its visibility here (an SDK asking with another event) is not ready.
export function readyToReload(rows: readonly EventRow[]): boolean {
  let ready = false
  for (const row of rows) {
    if (row.unsaved) return false
    if (row.visibility) ready = row.visibility === 'hidden' || row.idle === 1
  }
  return ready
}
