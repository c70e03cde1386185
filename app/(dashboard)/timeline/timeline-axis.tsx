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
]
const LANE_PX = 18
const INSET = { left: 44, right: 16 }

export function TimelineAxis({ entries, from, to }: { entries: readonly TimelineEntry[]; from: number; to: number }) {
  const lanes = LANES.filter((l) => entries.some((e) => e.source === l.source))
  if (lanes.length === 0) return null
  const pct = (t: number) => `${(Math.min(Math.max(t, from), to) - from) / (to - from) * 100}%`
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
                style={{ left: pct(e.at), width: e.to === undefined ? undefined : `calc(${pct(e.to)} - ${pct(e.at)})` }}
                title={`${new Date(e.at).toISOString()}: ${e.title}`}
              />
            ))}
        </div>
      ))}
    </div>
  )
}
