import type { EventRow } from '@/lib/events/row'
import { runQuery } from '@/lib/store/run-query'
import { table } from '@/lib/store/tables'

// Event-level facts no product API shows, read straight from the events table.
// Only for a test process whose STALEWATCH_DATA_DIR is the data directory of
// an app that has stopped: chDB lets one process at a time open it.

export type RawEvent = Pick<
  EventRow,
  'event_id' | 'session_id' | 'load_id' | 'version' | 'type' | 'visibility' | 'navigation' | 'previous_version' | 'reason' | 'action' | 'latest'
>

/** A project's events in the order the tabs sent them. */
export function rawEvents(projectId: string): Promise<RawEvent[]> {
  return runQuery<RawEvent>(
    'test.rawEvents',
    `SELECT event_id, session_id, load_id, version, type, visibility, navigation, previous_version, reason, action, latest
     FROM ${table('events')}
     WHERE project_id = {project:String}
     ORDER BY client_ts, event_id`,
    { project: projectId },
  )
}
