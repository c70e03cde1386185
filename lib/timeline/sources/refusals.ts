import { versionRefusalMinutes } from '../../figures/version-refusals/read-minutes'
import type { TimelineSource } from '../entry'

// Events ingest refused for their version (the cap on distinct versions, the
// rate of new versions: ingest/events/version-cap.ts), by reason; consecutive
// minutes of one reason are one entry.

const MINUTE = 60_000
const REASON = { version_cap: 'the cap on distinct versions', new_version_rate: 'the rate of new versions' } as const

export const refusalsSource: TimelineSource = {
  name: 'refusals',
  entries: async (w) => {
    const stretches: { reason: keyof typeof REASON; from: number; to: number; events: number }[] = []
    for (const m of await versionRefusalMinutes(w)) {
      const last = stretches.findLast((s) => s.reason === m.reason)
      if (last && last.to === m.minute) {
        last.to += MINUTE
        last.events += m.events
      } else stretches.push({ reason: m.reason, from: m.minute, to: m.minute + MINUTE, events: m.events })
    }
    return stretches.map((s) => ({ at: s.from, to: s.to, source: 'refusals', kind: s.reason, title: `${s.events} events refused by ${REASON[s.reason]}` }))
  },
}
