import { catalogFor } from '../../releases/catalog'
import type { TimelineSource } from '../entry'

// Releases registered with a deploy token or the admin token (lib/releases/).
export const releasesSource: TimelineSource = {
  name: 'release',
  entries: async (w) =>
    (await catalogFor(w.projectId)).releases
      .filter((r) => r.releasedAt >= w.from && r.releasedAt <= w.to)
      .map((r) => ({ at: r.releasedAt, source: 'release', kind: 'release', title: `Release ${r.version}` })),
}
