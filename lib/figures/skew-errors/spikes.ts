import { skewErrorMinutes } from './read'

// Skew-error spikes in a window, for the incident timeline: minutes whose
// skew errors are at least `minEvents` and at least `factor` times the
// window's mean per minute (docs/semantics.md, Skew errors), each with its
// count and the cause most of them had.

export interface SkewErrorSpike {
  /** The minute's start, epoch ms. */
  at: number
  count: number
  /** The cause with the most errors in that minute (ties: the first by name). */
  topCause: string
}

export interface SpikeOptions {
  /** Default 3. */
  minEvents?: number
  /** Default 2. */
  factor?: number
  source?: 'auto' | 'raw'
}

/** Spikes from per-minute counts by cause; pure. */
export function spikesOf(rows: readonly { minute: number; series: string; events: number }[], from: number, to: number, o: SpikeOptions = {}): SkewErrorSpike[] {
  const minEvents = o.minEvents ?? 3
  const factor = o.factor ?? 2
  const minutes = new Map<number, Map<string, number>>()
  let total = 0
  for (const r of rows) {
    const causes = minutes.get(r.minute) ?? new Map<string, number>()
    causes.set(r.series, (causes.get(r.series) ?? 0) + r.events)
    minutes.set(r.minute, causes)
    total += r.events
  }
  const mean = total / Math.max(1, Math.ceil((to - from) / 60_000))
  const spikes: SkewErrorSpike[] = []
  for (const [at, causes] of minutes) {
    const count = [...causes.values()].reduce((a, b) => a + b, 0)
    if (count < minEvents || count < factor * mean) continue
    const [topCause] = [...causes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!
    spikes.push({ at, count, topCause })
  }
  return spikes.sort((a, b) => a.at - b.at)
}

/** Skew-error spikes of a project in [from, to): per minute, by the figure's own counts. */
export async function skewErrorSpikes(projectId: string, from: number, to: number, o: SpikeOptions = {}): Promise<SkewErrorSpike[]> {
  const rows = await skewErrorMinutes({ projectId, from, to, by: 'reason', stepMinutes: 1, source: o.source })
  return spikesOf(rows, from, to, o)
}
