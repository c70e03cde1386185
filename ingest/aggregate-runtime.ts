import path from 'node:path'
import { dropSingleton, existingSingleton, processSingleton } from '../lib/process-singleton'
import { config } from '../lib/config'
import { projectByIngestKey, projectByServerKey } from '../lib/projects/project-directory'
import { listFirstSeen, listReleases } from '../lib/releases/release-store'
import type { AggregateDeps } from './aggregate-pipeline'
import { AGGREGATE_COLUMNS, aggregateValues, type AggregateRow } from './aggregate-row'
import { EventLog } from './event-log'
import { rowsWriter, segmentWriter } from './event-writer'
import { aggregateIngestMetrics } from './aggregate-metrics'
import { withFaultFile } from './fault-hook'
import { GroupCommitBuffer } from './group-commit'
import { KnownVersions } from './known-versions'
import { ingestLimits } from './limits'
import { ingestRuntime, reportQuarantine, type EventSink } from './runtime'

// The aggregate endpoint's sink and dependencies, one per process like the
// events' (ingest/runtime.ts), and acknowledged the same way: in logged mode
// once the rows are in an ingest log of their own on local disk (the
// `aggregates` folder of the ingest log directory, so the two logs never
// read each other's segments), in stored mode once ClickHouse has them.
// Rate limits and load shedding are the events' own instances: one budget
// per address and per node.

type AggregateSink = Pick<EventSink, 'flush' | 'close' | 'stats'> & { add(rows: AggregateRow[]): Promise<void> }

interface AggregateRuntime {
  sink: AggregateSink
  deps: AggregateDeps
}

// One per process (lib/process-singleton.ts).

// Aggregates are few rows (one per label set per 10 s per app server): a
// small share of the ingest log's disk bound is plenty.
const MAX_BACKLOG_ROWS = 1_000_000
const MAX_BACKLOG_BYTES = 256 * 1024 ** 2

function openSink(): AggregateSink {
  const c = config()
  const limits = ingestLimits()
  if (c.ingestAck === 'logged') {
    return new EventLog<AggregateRow>({
      dir: path.join(c.ingestLogDir, 'aggregates'),
      columns: AGGREGATE_COLUMNS,
      values: aggregateValues,
      insert: withFaultFile(segmentWriter('backend_load_raw'), limits.faultFile),
      maxSegmentRows: c.flushMaxRows,
      maxSegmentAgeMs: c.flushMaxWaitMs,
      maxBacklogRows: Math.min(c.bufferMaxRows, MAX_BACKLOG_ROWS),
      maxBacklogBytes: Math.min(Math.floor(c.bufferMaxBytes / 8), MAX_BACKLOG_BYTES),
      fsync: c.ingestLogFsync,
      onQuarantine: (report) => reportQuarantine(report, 'aggregate log'),
    })
  }
  return new GroupCommitBuffer<AggregateRow>({
    write: withFaultFile(rowsWriter<AggregateRow>('backend_load_raw'), limits.faultFile),
    maxRows: c.flushMaxRows,
    maxWaitMs: c.flushMaxWaitMs,
    maxBufferedRows: Math.min(c.bufferMaxRows, MAX_BACKLOG_ROWS),
    ackTimeoutMs: c.flushMaxWaitMs + limits.ackTimeoutMs,
    stallTimeoutMs: limits.stallTimeoutMs,
  })
}

async function loadKnownVersions(projectId: string): Promise<string[]> {
  const [firstSeen, releases] = await Promise.all([listFirstSeen(projectId), listReleases(projectId)])
  return [...firstSeen.keys(), ...releases.map((r) => r.version)]
}

export function aggregateRuntime(): AggregateRuntime {
  return processSingleton('aggregateRuntime', (): AggregateRuntime => {
    const sink = openSink()
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
