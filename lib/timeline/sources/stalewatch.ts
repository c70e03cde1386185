import { selfGaps } from '../../figures/self-gaps/read'
import type { TimelineSource } from '../entry'

// Stalewatch's own gaps (lib/figures/self-gaps/): down time and restarts,
// 503s, backlog, disk low, storage blocked.
export const stalewatchSource: TimelineSource = {
  name: 'stalewatch',
  entries: async (w) => (await selfGaps(w)).map((g) => ({ at: g.from, to: g.to, source: 'stalewatch', kind: g.kind, title: g.summary })),
}
