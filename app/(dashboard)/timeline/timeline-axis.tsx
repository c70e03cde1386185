import type { TimelineEntry, TimelineSourceName } from '@/lib/timeline/entry'

// The timeline's entries on the time axis of the chart below it (the version
// mix): one lane per source, an instant as a tick, what lasted as a bar. The
// plot's insets match the chart's axes (time-chart.tsx: y axis 44 px, right
// margin 16 px), so an entry sits above the minute it happened in.

const LANES: { source: TimelineSourceName; label: string }[] = [
  { source: 'stalewatch', label: 'Stalewatch' },
  { source: 'release', label: 'Releases' },
  { source: 'minimum', label: 'Minimum' },
  { source: 'wave', label: 'Wave' },
  { source: 'alert', label: 'Alerts' },
  { source: 'storm', label: 'Storms' },
  { source: 'refusals', label: 'Refusals' },
  { source: 'skew', label: 'Skew errors' },
]
const LANE_PX = 18
const MARK_PX = 3
const INSET = { left: 44, right: 16 }

export function TimelineAxis({ entries, from, to }: { entries: readonly TimelineEntry[]; from: number; to: number }) {
  const lanes = LANES.filter((l) => entries.some((e) => e.source === l.source))
  if (lanes.length === 0) return null
  const share = (t: number) => ((Math.min(Math.max(t, from), to) - from) / (to - from)) * 100
  // An instant is a 3 px tick kept inside the lane at either end; what lasted spans its stretch, at least that wide.
  const left = (t: number) => `calc(${share(t)}% - ${(share(t) * MARK_PX) / 100}px)`
  const width = (e: TimelineEntry) => (e.to === undefined ? `${MARK_PX}px` : `max(${MARK_PX}px, ${share(e.to) - share(e.at)}%)`)
  return (
    <div className="timeline-axis" data-testid="timeline-axis" style={{ paddingLeft: INSET.left, paddingRight: INSET.right }}>
      {lanes.map((lane) => (
        <div key={lane.source} className="timeline-lane" style={{ height: LANE_PX }} data-lane={lane.source}>
          <span className="timeline-lane-label">{lane.label}</span>
          {entries
            .filter((e) => e.source === lane.source)
            .map((e, i) => (
              <span
                key={`${e.at}-${i}`}
                className={`timeline-mark timeline-${e.source} timeline-kind-${e.kind}`}
                style={{ left: left(e.at), width: width(e) }}
                title={`${new Date(e.at).toISOString()}: ${e.title}`}
              />
            ))}
        </div>
      ))}
    </div>
  )
}
