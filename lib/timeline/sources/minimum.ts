import { catalogFor } from '../../releases/catalog'
import type { TimelineSource } from '../entry'

// Changes of the minimum supported version (lib/releases/).
export const minimumSource: TimelineSource = {
  name: 'minimum',
  entries: async (w) =>
    (await catalogFor(w.projectId)).minSupportedChanges
      .filter((c) => c.changedAt >= w.from && c.changedAt <= w.to)
      .map((c) => ({
        at: c.changedAt,
        source: 'minimum',
        kind: c.version === null ? 'cleared' : 'raised',
        title: c.version === null ? 'Minimum cleared' : `Minimum set to ${c.version}`,
      })),
}
