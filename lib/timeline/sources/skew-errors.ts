import { skewErrorSpikes } from '../../figures/skew-errors/spikes'
import type { TimelineSource } from '../entry'

// Skew-error spikes (docs/skew-errors.md): minutes in which tabs failed to
// load code well above the window's usual rate, each with its count and the
// cause most of them had; consecutive spike minutes are one entry.

const MINUTE = 60_000

export const skewErrorsSource: TimelineSource = {
  name: 'skew',
  entries: async (w) => {
    const stretches: { from: number; to: number; count: number; causes: Map<string, number> }[] = []
    for (const s of await skewErrorSpikes(w.projectId, w.from, w.to)) {
      const last = stretches.at(-1)
      if (last && last.to === s.at) {
        last.to += MINUTE
        last.count += s.count
        last.causes.set(s.topCause, (last.causes.get(s.topCause) ?? 0) + s.count)
      } else stretches.push({ from: s.at, to: s.at + MINUTE, count: s.count, causes: new Map([[s.topCause, s.count]]) })
    }
    return stretches.map((s) => {
      const [cause] = [...s.causes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!
      return { at: s.from, to: s.to, source: 'skew', kind: cause, title: `${s.count} skew errors, mostly ${cause.replaceAll('_', ' ')}` }
    })
  },
}
