import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { EventLog, type EventLogOptions } from '@/ingest/log/event-log'
import { EVENT_COLUMNS, eventValues, type EventRow } from '@/lib/events/row'
import { writeEventFile, writeEventLines } from '@/ingest/log/segment-writer'

// An events ingest log on the real engine for tests, opened as the embedded
// runtime opens it (whole segments from their files first, their bytes when
// that fails), with short retries; each test overrides what it is about.

export function openTestLog(dir: string, overrides: Partial<EventLogOptions<EventRow>> = {}): EventLog<EventRow> {
  return new EventLog<EventRow>({
    dir,
    columns: EVENT_COLUMNS,
    values: eventValues,
    insert: writeEventLines,
    insertFile: writeEventFile,
    maxSegmentRows: 1000,
    maxSegmentAgeMs: 60_000,
    maxBacklogRows: 10_000,
    maxBacklogBytes: 1_000_000_000,
    fsync: true,
    retryDelayMs: () => 20,
    ...overrides,
  })
}

/** A fresh directory for one test's log. */
export const newLogDir = () => mkdtempSync(path.join(tmpdir(), 'stalewatch-log-'))
