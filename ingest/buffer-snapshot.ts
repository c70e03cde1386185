import type { GroupCommitStats } from './log/group-commit'
import { aggregateRuntime } from './aggregates/runtime'
import { ingestRuntime } from './events/runtime'

// What /api/metrics shows of the node's ingest buffers: the events log's
// figures, with the aggregates log's quarantine added to its file count. Both
// quarantines are looked after by the same `npm run ingest-log`, so one
// gauge and one alert rule cover them.
export function ingestBufferSnapshot(): GroupCommitStats {
  const events = ingestRuntime().buffer.stats()
  const aggregates = aggregateRuntime().sink.stats()
  if (events.quarantineFiles === undefined && aggregates.quarantineFiles === undefined) return events
  return { ...events, quarantineFiles: (events.quarantineFiles ?? 0) + (aggregates.quarantineFiles ?? 0) }
}
