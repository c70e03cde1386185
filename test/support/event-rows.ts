import { randomUUID } from 'node:crypto'
import type { EventRow } from '@/lib/events/row'

// Events rows as the writer sends them, for tests of the ingest log and
// its salvage: `count` heartbeats of one project, each with its own id.

export function eventRowsFor(projectId: string, count: number, now = Date.now()): EventRow[] {
  return Array.from({ length: count }, (_, i) => ({
    project_id: projectId,
    event_id: randomUUID(),
    session_id: `s${i % 7}`,
    load_id: `l${i % 7}`,
    version: '1.0.0',
    type: 'heartbeat',
    event_time: now - i,
    client_ts: now - i,
    received_at: now,
    visibility: 'visible',
    navigation: '',
    previous_version: '',
    reason: '',
    action: '',
    latest: '',
    message: '',
  }))
}
