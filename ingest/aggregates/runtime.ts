import { dropSingleton, existingSingleton, processSingleton } from '../../lib/process-singleton'
import { config } from '../../lib/config'
import { projectByIngestKey, projectByServerKey } from '../../lib/projects/project-directory'
import { listFirstSeen, listReleases } from '../../lib/releases/release-store'
import type { AggregateDeps } from './pipeline'
import { AGGREGATE_COLUMNS, aggregateValues, type AggregateRow } from '../../lib/aggregates/row'
import { aggregateIngestMetrics } from './metrics'
import { KnownVersions } from '../events/known-versions'
import { ingestRuntime } from '../events/runtime'
import { openSink, type Sink } from '../log/sink'

// The aggregate endpoint's sink and dependencies, one per process like the
// events' (ingest/events/runtime.ts), and acknowledged the same way: in logged mode
// once the rows are in an ingest log of their own on local disk (the
// `aggregates` folder of the ingest log directory, so the two logs never
// read each other's segments), in stored mode once ClickHouse has them.
// Rate limits and load shedding are the events' own instances: one budget
// per address and per node.

type AggregateSink = Sink<AggregateRow>

interface AggregateRuntime {
  sink: AggregateSink
  deps: AggregateDeps
}

// One per process (lib/process-singleton.ts).

// Aggregates are few rows (one per label set per 10 s per app server): a
// small share of the ingest log's disk bound is plenty.
const MAX_BACKLOG_ROWS = 1_000_000
const MAX_BACKLOG_BYTES = 256 * 1024 ** 2

async function loadKnownVersions(projectId: string): Promise<string[]> {
  const [firstSeen, releases] = await Promise.all([listFirstSeen(projectId), listReleases(projectId)])
  return [...firstSeen.keys(), ...releases.map((r) => r.version)]
}

export function aggregateRuntime(): AggregateRuntime {
  return processSingleton('aggregateRuntime', (): AggregateRuntime => {
    const c = config()
    const sink = openSink<AggregateRow>({
      name: 'aggregate log',
      table: 'backend_load_raw',
      // Their own folder: the two logs never read each other's segments.
      logSubdir: 'aggregates',
      columns: AGGREGATE_COLUMNS,
      values: aggregateValues,
      maxBacklogRows: Math.min(c.bufferMaxRows, MAX_BACKLOG_ROWS),
      maxBacklogBytes: Math.min(Math.floor(c.bufferMaxBytes / 8), MAX_BACKLOG_BYTES),
    })
    const events = ingestRuntime().deps
    const known = new KnownVersions(loadKnownVersions)
    return {
      sink,
      deps: {
        findProjectByServerKey: projectByServerKey,
        findProjectByIngestKey: projectByIngestKey,
        knownVersions: (projectId, versions) => known.forProject(projectId, versions),
        store: (rows) => sink.add(rows),
        rateLimiter: events.rateLimiter,
        overloaded: events.overloaded,
        onAnswer: (result) => aggregateIngestMetrics().recordAnswer(result),
      },
    }
  })
}

/** Stores what was acknowledged and stops the sink (SIGTERM). */
export async function closeAggregateIngest(): Promise<void> {
  const runtime = existingSingleton<AggregateRuntime>('aggregateRuntime')
  if (!runtime) return
  await runtime.sink.close()
  dropSingleton('aggregateRuntime')
}
