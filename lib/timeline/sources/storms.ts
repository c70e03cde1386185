import { eventMinutes } from '../../figures/event-rates/read-minutes'
import { RATE_EVENTS, rateEventLabel } from '../../figures/event-rates/read-rate'
import { STORM_CONDITIONS } from '../../rollout/guard'
import type { StoredEventKind } from '../../semantics/event-kinds'
import type { TimelineEntry, TimelineSource } from '../entry'

// Resume and reconnect storms: minutes whose resumes (or returns from hidden)
// are above the guard's storm conditions, the alert rules' event_rate
// defaults (lib/rollout/guard.ts: 5 × the trailing hour's rate and at least
// 10 a minute), counted on the stored events (the event-rates figure);
// consecutive storm minutes are one entry.

const MINUTE = 60_000
/** The stored kinds the storm conditions count (resume; visible is a return from hidden). */
const STORM_KINDS: StoredEventKind[] = ['resume', 'return']

/** Storm stretches of one kind from its counts per minute (epoch ms → events). Pure. */
export function stormStretches(counts: ReadonlyMap<number, number>, from: number, to: number, c: { baselineFactor?: number; baselineMinutes: number; minPerMinute: number }) {
  const stretches: { from: number; to: number; peak: number; baseline: number }[] = []
  for (let m = Math.ceil(from / MINUTE) * MINUTE; m <= to; m += MINUTE) {
    const n = counts.get(m) ?? 0
    let trailing = 0
    for (let b = m - c.baselineMinutes * MINUTE; b < m; b += MINUTE) trailing += counts.get(b) ?? 0
    const baseline = trailing / c.baselineMinutes
    if (!(n > (c.baselineFactor ?? 1) * baseline && n > c.minPerMinute)) continue
    const last = stretches.at(-1)
    if (last && last.to === m) {
      last.to = m + MINUTE
      if (n > last.peak) [last.peak, last.baseline] = [n, baseline]
    } else stretches.push({ from: m, to: m + MINUTE, peak: n, baseline })
  }
  return stretches
}

export const stormsSource: TimelineSource = {
  name: 'storm',
  entries: async (w) => {
    const conditions = Object.entries(STORM_CONDITIONS)
    const longest = Math.max(...conditions.map(([, c]) => c.baselineMinutes))
    const rows = await eventMinutes({ projectId: w.projectId, from: w.from - longest * MINUTE, to: w.to, kinds: STORM_KINDS, seriesBy: 'version' })
    const entries: TimelineEntry[] = []
    for (const [name, c] of conditions) {
      const counts = new Map<number, number>()
      for (const r of rows) if (r.kind === RATE_EVENTS[c.event]) counts.set(r.minute, (counts.get(r.minute) ?? 0) + r.events)
      for (const s of stormStretches(counts, w.from, w.to, c)) {
        const what = name === 'resume_storm' ? 'Resume storm' : 'Reconnect storm'
        entries.push({ at: s.from, to: s.to, source: 'storm', kind: name, title: `${what}: up to ${s.peak} ${rateEventLabel(c.event).toLowerCase()} a minute against ${Math.round(s.baseline * 10) / 10} before` })
      }
    }
    return entries
  },
}
